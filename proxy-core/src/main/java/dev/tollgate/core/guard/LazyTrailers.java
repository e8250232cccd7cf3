package dev.tollgate.core.guard;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map.Entry;
import java.util.Set;

/**
 * The trailing headers of a decoded message, made only when a trailer is added. Netty's decoders give
 * every body's last piece a fresh trailers object (a header table of 16 slots and its entries), though
 * almost no request or response has trailers; until something is added this object is empty and holds
 * nothing. The first addition makes Netty's own validating trailers object, which then answers
 * everything, so names and values are checked as before.
 */
public final class LazyTrailers extends HttpHeaders {

  /** For {@code HttpDecoderConfig.setTrailersFactory}. */
  public static final HttpHeadersFactory FACTORY = new HttpHeadersFactory() {
    @Override
    public HttpHeaders newHeaders() {
      return new LazyTrailers();
    }

    @Override
    public HttpHeaders newEmptyHeaders() {
      return new LazyTrailers();
    }
  };

  private HttpHeaders headers;

  private HttpHeaders made() {
    HttpHeaders made = headers;
    if (made == null) {
      made = DefaultHttpHeadersFactory.trailersFactory().newHeaders();
      headers = made;
    }
    return made;
  }

  @Override
  public String get(String name) {
    return headers == null ? null : headers.get(name);
  }

  @Override
  public String get(CharSequence name) {
    return headers == null ? null : headers.get(name);
  }

  @Override
  public Integer getInt(CharSequence name) {
    return headers == null ? null : headers.getInt(name);
  }

  @Override
  public int getInt(CharSequence name, int defaultValue) {
    return headers == null ? defaultValue : headers.getInt(name, defaultValue);
  }

  @Override
  public Short getShort(CharSequence name) {
    return headers == null ? null : headers.getShort(name);
  }

  @Override
  public short getShort(CharSequence name, short defaultValue) {
    return headers == null ? defaultValue : headers.getShort(name, defaultValue);
  }

  @Override
  public Long getTimeMillis(CharSequence name) {
    return headers == null ? null : headers.getTimeMillis(name);
  }

  @Override
  public long getTimeMillis(CharSequence name, long defaultValue) {
    return headers == null ? defaultValue : headers.getTimeMillis(name, defaultValue);
  }

  @Override
  public List<String> getAll(String name) {
    return headers == null ? Collections.emptyList() : headers.getAll(name);
  }

  @Override
  public List<Entry<String, String>> entries() {
    return headers == null ? Collections.emptyList() : headers.entries();
  }

  @Override
  public boolean contains(String name) {
    return headers != null && headers.contains(name);
  }

  @Override
  public boolean contains(CharSequence name) {
    return headers != null && headers.contains(name);
  }

  @Override
  public boolean contains(String name, String value, boolean ignoreCase) {
    return headers != null && headers.contains(name, value, ignoreCase);
  }

  @Override
  public boolean containsValue(CharSequence name, CharSequence value, boolean ignoreCase) {
    return headers != null && headers.containsValue(name, value, ignoreCase);
  }

  @Override
  public Iterator<Entry<String, String>> iterator() {
    return headers == null ? Collections.emptyIterator() : headers.iterator();
  }

  @Override
  public Iterator<Entry<CharSequence, CharSequence>> iteratorCharSequence() {
    return headers == null ? Collections.emptyIterator() : headers.iteratorCharSequence();
  }

  @Override
  public Iterator<String> valueStringIterator(CharSequence name) {
    return headers == null ? Collections.emptyIterator() : headers.valueStringIterator(name);
  }

  @Override
  public Iterator<? extends CharSequence> valueCharSequenceIterator(CharSequence name) {
    return headers == null ? Collections.emptyIterator() : headers.valueCharSequenceIterator(name);
  }

  @Override
  public boolean isEmpty() {
    return headers == null || headers.isEmpty();
  }

  @Override
  public int size() {
    return headers == null ? 0 : headers.size();
  }

  @Override
  public Set<String> names() {
    return headers == null ? Collections.emptySet() : headers.names();
  }

  @Override
  public HttpHeaders add(String name, Object value) {
    made().add(name, value);
    return this;
  }

  @Override
  public HttpHeaders add(CharSequence name, Object value) {
    made().add(name, value);
    return this;
  }

  @Override
  public HttpHeaders add(String name, Iterable<?> values) {
    made().add(name, values);
    return this;
  }

  @Override
  public HttpHeaders addInt(CharSequence name, int value) {
    made().addInt(name, value);
    return this;
  }

  @Override
  public HttpHeaders addShort(CharSequence name, short value) {
    made().addShort(name, value);
    return this;
  }

  @Override
  public HttpHeaders set(String name, Object value) {
    made().set(name, value);
    return this;
  }

  @Override
  public HttpHeaders set(CharSequence name, Object value) {
    made().set(name, value);
    return this;
  }

  @Override
  public HttpHeaders set(String name, Iterable<?> values) {
    made().set(name, values);
    return this;
  }

  @Override
  public HttpHeaders setInt(CharSequence name, int value) {
    made().setInt(name, value);
    return this;
  }

  @Override
  public HttpHeaders setShort(CharSequence name, short value) {
    made().setShort(name, value);
    return this;
  }

  @Override
  public HttpHeaders remove(String name) {
    if (headers != null) {
      headers.remove(name);
    }
    return this;
  }

  @Override
  public HttpHeaders remove(CharSequence name) {
    if (headers != null) {
      headers.remove(name);
    }
    return this;
  }

  @Override
  public HttpHeaders clear() {
    if (headers != null) {
      headers.clear();
    }
    return this;
  }

  @Override
  public HttpHeaders copy() {
    return headers == null ? DefaultHttpHeadersFactory.trailersFactory().newHeaders() : headers.copy();
  }

  @Override
  public String toString() {
    return headers == null ? "LazyTrailers[]" : headers.toString();
  }
}
