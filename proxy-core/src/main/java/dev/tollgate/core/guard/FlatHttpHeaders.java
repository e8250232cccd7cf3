package dev.tollgate.core.guard;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CharSequenceValueConverter;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValidationUtil;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Collections;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map.Entry;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The headers of a message our HTTP/1.1 decoders read: names and values side by side in one array,
 * in arrival order, looked up by walking it. A request or response carries a dozen or two headers and
 * the gateway asks for a handful by name, so a walk comparing lengths first costs less than Netty's
 * hash table, which hashes every name added and every name asked for, and makes an entry object (with
 * four links) per header plus a 16-slot table per message.
 *
 * <p>Names and values are validated as Netty's default headers validate them (a name is a token, a
 * value has no control character but tab), by the same {@link HttpHeaderValidationUtil} checks and with
 * an {@link IllegalArgumentException}, which the decoders turn into a refused message. Names compare
 * ASCII-case-insensitively; {@code set} keeps the first occurrence's place. A value's character beyond
 * Latin-1 is kept as '?', the byte it is written as. Trailers
 * ({@link #TRAILERS_FACTORY}) also refuse the names Netty's trailers refuse. The array is made at the
 * first addition, so empty headers (the trailers of nearly every body) hold nothing.
 */
public final class FlatHttpHeaders extends HttpHeaders {

  /** For {@code HttpDecoderConfig.setHeadersFactory}. */
  public static final HttpHeadersFactory FACTORY = factory(false);
  /**
   * For {@code HttpDecoderConfig.setTrailersFactory}: every body's last piece gets trailers, and almost
   * none has any, so these hold no array until a trailer is added.
   */
  public static final HttpHeadersFactory TRAILERS_FACTORY = factory(true);

  private static HttpHeadersFactory factory(boolean trailers) {
    return new HttpHeadersFactory() {
      @Override
      public HttpHeaders newHeaders() {
        return new FlatHttpHeaders(trailers);
      }

      @Override
      public HttpHeaders newEmptyHeaders() {
        return new FlatHttpHeaders(trailers);
      }
    };
  }

  private static final CharSequence[] NO_SLOTS = new CharSequence[0];
  private static final int INITIAL_HEADERS = 16;
  /** Per event-loop thread: a header block is laid out here before its one copy into the buffer. */
  private static final FastThreadLocal<byte[]> ENCODE_BLOCK = new FastThreadLocal<>() {
    @Override
    protected byte[] initialValue() {
      return new byte[16 * 1024];
    }
  };

  /** Name of header {@code i} at {@code 2i}, its value at {@code 2i + 1}. */
  private CharSequence[] slots;
  private int size;
  /** Whether these are trailers, which may not carry Content-Length, Transfer-Encoding or Trailer. */
  private final boolean trailers;

  public FlatHttpHeaders() {
    this(false);
  }

  /**
   * Headers with room for {@code headers} names and values from the start: a decoder that has counted a
   * head's lines makes no larger array than it needs (a list grows past it as any other does).
   */
  public static FlatHttpHeaders withRoomFor(int headers) {
    return new FlatHttpHeaders(headers > 0 ? new CharSequence[2 * headers] : NO_SLOTS, 0, false);
  }

  private FlatHttpHeaders(boolean trailers) {
    this(NO_SLOTS, 0, trailers);
  }

  private FlatHttpHeaders(CharSequence[] slots, int size, boolean trailers) {
    this.slots = slots;
    this.size = size;
    this.trailers = trailers;
  }

  // ---- lookups

  private int indexOf(CharSequence name, int from) {
    if (name instanceof AsciiString ascii) {
      return indexOfAscii(ascii, from);
    }
    int length = name.length();
    CharSequence[] s = slots;
    for (int i = from; i < size; i++) {
      CharSequence candidate = s[2 * i];
      if (candidate == name
          || candidate.length() == length && AsciiString.contentEqualsIgnoreCase(candidate, name)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The usual look-up: Netty's and our name constants, and the names the decoders read, are
   * {@link AsciiString}s, whose hash codes ignore case and are kept once computed. A differing hash
   * rules a name out with one comparison; only an equal one is compared byte by byte.
   */
  private int indexOfAscii(AsciiString name, int from) {
    int hash = name.hashCode();
    int length = name.length();
    CharSequence[] s = slots;
    for (int i = from; i < size; i++) {
      CharSequence candidate = s[2 * i];
      if (candidate == name) {
        return i;
      }
      if (candidate instanceof AsciiString known) {
        if (known.hashCode() == hash && known.contentEqualsIgnoreCase(name)) {
          return i;
        }
      } else if (candidate.length() == length && AsciiString.contentEqualsIgnoreCase(candidate, name)) {
        return i;
      }
    }
    return -1;
  }

  private CharSequence first(CharSequence name) {
    int i = indexOf(name, 0);
    return i < 0 ? null : slots[2 * i + 1];
  }

  @Override
  public String get(String name) {
    return get((CharSequence) name);
  }

  @Override
  public String get(CharSequence name) {
    CharSequence value = first(name);
    return value == null ? null : value.toString();
  }

  @Override
  public String get(CharSequence name, String defaultValue) {
    String value = get(name);
    return value == null ? defaultValue : value;
  }

  @Override
  public Integer getInt(CharSequence name) {
    return converted(name, CharSequenceValueConverter.INSTANCE::convertToInt);
  }

  @Override
  public int getInt(CharSequence name, int defaultValue) {
    Integer value = getInt(name);
    return value == null ? defaultValue : value;
  }

  @Override
  public Short getShort(CharSequence name) {
    return converted(name, CharSequenceValueConverter.INSTANCE::convertToShort);
  }

  @Override
  public short getShort(CharSequence name, short defaultValue) {
    Short value = getShort(name);
    return value == null ? defaultValue : value;
  }

  @Override
  public Long getTimeMillis(CharSequence name) {
    return converted(name, CharSequenceValueConverter.INSTANCE::convertToTimeMillis);
  }

  @Override
  public long getTimeMillis(CharSequence name, long defaultValue) {
    Long value = getTimeMillis(name);
    return value == null ? defaultValue : value;
  }

  /** The first value of {@code name} converted, or null if absent or not convertible (as Netty answers). */
  private <T> T converted(CharSequence name, Function<CharSequence, T> conversion) {
    CharSequence value = first(name);
    if (value == null) {
      return null;
    }
    try {
      return conversion.apply(value);
    } catch (RuntimeException e) {
      return null;
    }
  }

  @Override
  public List<String> getAll(String name) {
    return getAll((CharSequence) name);
  }

  @Override
  public List<String> getAll(CharSequence name) {
    int i = indexOf(name, 0);
    if (i < 0) {
      return Collections.emptyList();
    }
    int next = indexOf(name, i + 1);
    if (next < 0) { // the usual answer (the decoders ask for every Content-Length)
      return Collections.singletonList(slots[2 * i + 1].toString());
    }
    List<String> values = new ArrayList<>(2);
    for (; i >= 0; i = indexOf(name, i + 1)) {
      values.add(slots[2 * i + 1].toString());
    }
    return values;
  }

  @Override
  public Iterator<String> valueStringIterator(CharSequence name) {
    Iterator<CharSequence> values = valueCharSequenceIterator(name);
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return values.hasNext();
      }

      @Override
      public String next() {
        return values.next().toString();
      }
    };
  }

  @Override
  public Iterator<CharSequence> valueCharSequenceIterator(CharSequence name) {
    return new Iterator<>() {
      private int next = indexOf(name, 0);

      @Override
      public boolean hasNext() {
        return next >= 0;
      }

      @Override
      public CharSequence next() {
        if (next < 0) {
          throw new NoSuchElementException();
        }
        CharSequence value = slots[2 * next + 1];
        next = indexOf(name, next + 1);
        return value;
      }
    };
  }

  @Override
  public boolean contains(String name) {
    return indexOf(name, 0) >= 0;
  }

  @Override
  public boolean contains(CharSequence name) {
    return indexOf(name, 0) >= 0;
  }

  @Override
  public boolean contains(String name, String value, boolean ignoreCase) {
    return contains((CharSequence) name, value, ignoreCase);
  }

  /** Whether a value of {@code name} is {@code value} as a whole. */
  @Override
  public boolean contains(CharSequence name, CharSequence value, boolean ignoreCase) {
    for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
      CharSequence candidate = slots[2 * i + 1];
      if (ignoreCase ? AsciiString.contentEqualsIgnoreCase(candidate, value)
          : AsciiString.contentEquals(candidate, value)) {
        return true;
      }
    }
    return false;
  }

  /** Whether a value of {@code name}, read as a comma-separated list, has {@code value} as an element. */
  @Override
  public boolean containsValue(CharSequence name, CharSequence value, boolean ignoreCase) {
    for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
      if (hasListElement(slots[2 * i + 1], value, ignoreCase)) {
        return true;
      }
    }
    return false;
  }

  /** Whether an element of the comma-separated {@code list}, trimmed as Netty trims, is {@code expected}. */
  static boolean hasListElement(CharSequence list, CharSequence expected, boolean ignoreCase) {
    int length = list.length();
    int begin = 0;
    do {
      int end = begin;
      while (end < length && list.charAt(end) != ',') {
        end++;
      }
      int from = begin;
      int to = end;
      while (from < to && list.charAt(from) <= ' ') {
        from++;
      }
      while (to > from && list.charAt(to - 1) <= ' ') {
        to--;
      }
      if (to - from == expected.length() && regionEquals(list, from, expected, ignoreCase)) {
        return true;
      }
      begin = end + 1;
    } while (begin < length);
    return false;
  }

  private static boolean regionEquals(CharSequence in, int from, CharSequence expected, boolean ignoreCase) {
    for (int i = 0; i < expected.length(); i++) {
      char a = in.charAt(from + i);
      char b = expected.charAt(i);
      if (a != b && (!ignoreCase || AsciiString.toLowerCase(a) != AsciiString.toLowerCase(b))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean isEmpty() {
    return size == 0;
  }

  @Override
  public int size() {
    return size;
  }

  /** The names present, each once (in the case it first came in), in arrival order. */
  @Override
  public Set<String> names() {
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < size; i++) {
      if (indexOf(slots[2 * i], 0) == i) {
        names.add(slots[2 * i].toString());
      }
    }
    return names;
  }

  // ---- iteration

  @Override
  public List<Entry<String, String>> entries() {
    List<Entry<String, String>> entries = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      entries.add(new SimpleImmutableEntry<>(slots[2 * i].toString(), slots[2 * i + 1].toString()));
    }
    return entries;
  }

  @Override
  public Iterator<Entry<String, String>> iterator() {
    return entries().iterator();
  }

  @Override
  public Iterator<Entry<CharSequence, CharSequence>> iteratorCharSequence() {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < size;
      }

      @Override
      public Entry<CharSequence, CharSequence> next() {
        if (next >= size) {
          throw new NoSuchElementException();
        }
        int i = next++;
        return new SimpleImmutableEntry<>(slots[2 * i], slots[2 * i + 1]);
      }
    };
  }

  /** Writes {@code headers} as {@link #encode} does if they are flat; returns whether they were. */
  public static boolean encodeIfFlat(HttpHeaders headers, ByteBuf out) {
    if (headers instanceof FlatHttpHeaders flat) {
      flat.encode(out);
      return true;
    }
    return false;
  }

  /**
   * Writes every header as {@code name: value CRLF}, as Netty's message encoders do (a byte per
   * character: Latin-1 as is, anything wider as {@code ?}). The block is laid out in a per-thread array
   * and written with one copy: a buffer checks its state on every write, which per header and per
   * character cost more than the copying.
   */
  public void encode(ByteBuf out) {
    CharSequence[] s = slots;
    int length = 0;
    for (int i = 0; i < 2 * size; i++) {
      length += s[i].length();
    }
    length += 4 * size;
    byte[] block = ENCODE_BLOCK.get();
    if (block.length < length) {
      block = new byte[length]; // a head larger than any the decoders accept: made for this one
    }
    int at = 0;
    for (int i = 0; i < size; i++) {
      at = put(s[2 * i], block, at);
      block[at++] = ':';
      block[at++] = ' ';
      at = put(s[2 * i + 1], block, at);
      block[at++] = '\r';
      block[at++] = '\n';
    }
    out.writeBytes(block, 0, at);
  }

  @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): each char's low byte, exact for Latin-1
  private static int put(CharSequence text, byte[] block, int at) {
    int length = text.length();
    if (text instanceof AsciiString ascii) {
      System.arraycopy(ascii.array(), ascii.arrayOffset(), block, at, length);
      return at + length;
    }
    if (text instanceof String string) { // Latin-1, as every String kept here (see validValue): a copy
      string.getBytes(0, length, block, at);
      return at + length;
    }
    for (int i = 0; i < length; i++) { // a name of another kind: a token, so ASCII
      block[at + i] = (byte) text.charAt(i);
    }
    return at + length;
  }

  // ---- changes

  @Override
  public HttpHeaders add(String name, Object value) {
    return add((CharSequence) name, value);
  }

  @Override
  public HttpHeaders add(CharSequence name, Object value) {
    append(validName(name), validValue(value));
    return this;
  }

  /**
   * Adds a header a decoder read: its value checked on the bytes it was read from, its name known to be
   * a token ({@code nameIsToken}: a name {@link HeaderNameCache} keeps) or validated here.
   */
  void addDecoded(CharSequence name, boolean nameIsToken, String value) {
    append(nameIsToken && !trailers ? name : validName(name), value);
  }

  @Override
  public HttpHeaders add(String name, Iterable<?> values) {
    return add((CharSequence) name, values);
  }

  @Override
  public HttpHeaders add(CharSequence name, Iterable<?> values) {
    validName(name);
    for (Object value : values) {
      append(name, validValue(value));
    }
    return this;
  }

  @Override
  public HttpHeaders addInt(CharSequence name, int value) {
    append(validName(name), Integer.toString(value));
    return this;
  }

  @Override
  public HttpHeaders addShort(CharSequence name, short value) {
    append(validName(name), Short.toString(value));
    return this;
  }

  @Override
  public HttpHeaders set(String name, Object value) {
    return set((CharSequence) name, value);
  }

  /** Replaces every value of {@code name} by {@code value}, at the place of the first one. */
  @Override
  public HttpHeaders set(CharSequence name, Object value) {
    replace(validName(name), validValue(value));
    return this;
  }

  @Override
  public HttpHeaders set(String name, Iterable<?> values) {
    return set((CharSequence) name, values);
  }

  @Override
  public HttpHeaders set(CharSequence name, Iterable<?> values) {
    validName(name);
    List<CharSequence> valid = new ArrayList<>();
    for (Object value : values) {
      valid.add(validValue(value));
    }
    remove(name);
    for (CharSequence value : valid) {
      append(name, value);
    }
    return this;
  }

  @Override
  public HttpHeaders setInt(CharSequence name, int value) {
    replace(validName(name), Integer.toString(value));
    return this;
  }

  @Override
  public HttpHeaders setShort(CharSequence name, short value) {
    replace(validName(name), Short.toString(value));
    return this;
  }

  @Override
  public HttpHeaders remove(String name) {
    return remove((CharSequence) name);
  }

  @Override
  public HttpHeaders remove(CharSequence name) {
    int i = indexOf(name, 0);
    if (i >= 0) {
      removeFrom(i, name);
    }
    return this;
  }

  /** Removes every header whose name {@code names} accepts, in one pass; the others keep their order. */
  public void removeIf(Predicate<CharSequence> names) {
    CharSequence[] s = slots;
    int kept = 0;
    for (int i = 0; i < size; i++) {
      if (names.test(s[2 * i])) {
        continue;
      }
      s[2 * kept] = s[2 * i];
      s[2 * kept + 1] = s[2 * i + 1];
      kept++;
    }
    Arrays.fill(s, 2 * kept, 2 * size, null);
    size = kept;
  }

  @Override
  public HttpHeaders clear() {
    Arrays.fill(slots, 0, 2 * size, null);
    size = 0;
    return this;
  }

  @Override
  public HttpHeaders copy() {
    return new FlatHttpHeaders(Arrays.copyOf(slots, slots.length), size, trailers);
  }

  /** Adds a header before all the others. */
  public FlatHttpHeaders addFirst(CharSequence name, Object value) {
    CharSequence validName = validName(name);
    CharSequence validValue = validValue(value);
    makeRoomForOneMore();
    System.arraycopy(slots, 0, slots, 2, 2 * size);
    slots[0] = validName;
    slots[1] = validValue;
    size++;
    return this;
  }

  private void append(CharSequence name, CharSequence value) {
    makeRoomForOneMore();
    slots[2 * size] = name;
    slots[2 * size + 1] = value;
    size++;
  }

  private void makeRoomForOneMore() {
    if (2 * size == slots.length) {
      slots = Arrays.copyOf(slots, slots.length == 0 ? 2 * INITIAL_HEADERS : 2 * slots.length);
    }
  }

  private void replace(CharSequence name, CharSequence value) {
    int i = indexOf(name, 0);
    if (i < 0) {
      append(name, value);
      return;
    }
    slots[2 * i + 1] = value;
    int next = indexOf(name, i + 1);
    if (next >= 0) {
      removeFrom(next, name);
    }
  }

  /** Removes header {@code first} (a {@code name}) and every later one of that name, keeping the order. */
  private void removeFrom(int first, CharSequence name) {
    CharSequence[] s = slots;
    int kept = first;
    for (int i = first + 1; i < size; i++) {
      CharSequence candidate = s[2 * i];
      if (candidate.length() == name.length() && AsciiString.contentEqualsIgnoreCase(candidate, name)) {
        continue;
      }
      s[2 * kept] = candidate;
      s[2 * kept + 1] = s[2 * i + 1];
      kept++;
    }
    Arrays.fill(s, 2 * kept, 2 * size, null);
    size = kept;
  }

  private CharSequence validName(CharSequence name) {
    // a name a decoder read and the table kept was validated when it was kept
    if (!(name instanceof AsciiString ascii && HeaderNameCache.keeps(ascii))) {
      if (name == null || name.length() == 0) {
        throw new IllegalArgumentException("empty header names are not allowed");
      }
      int bad = HttpHeaderValidationUtil.validateToken(name);
      if (bad != -1) {
        throw new IllegalArgumentException("a header name can only contain token characters, but found 0x"
            + Integer.toHexString(name.charAt(bad)) + " at index " + bad);
      }
    }
    if (trailers && (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
        || HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)
        || HttpHeaderNames.TRAILER.contentEqualsIgnoreCase(name))) {
      throw new IllegalArgumentException("prohibited trailing header: " + name); // as Netty's trailers say
    }
    return name;
  }

  private static CharSequence validValue(Object value) {
    if (value == null) {
      throw new NullPointerException("value");
    }
    CharSequence text;
    if (value instanceof CharSequence sequence) {
      text = sequence;
    } else if (value instanceof Date date) {
      text = DateFormatter.format(date);
    } else if (value instanceof Calendar calendar) {
      text = DateFormatter.format(calendar.getTime());
    } else {
      text = value.toString();
    }
    int bad = HttpHeaderValidationUtil.validateValidHeaderValue(text);
    if (bad != -1) {
      throw new IllegalArgumentException("a header value contains the prohibited character 0x"
          + Integer.toHexString(text.charAt(bad)) + " at index " + bad);
    }
    return text instanceof AsciiString ? text : latin1(text.toString());
  }

  /**
   * {@code value}, or a copy with '?' for each character beyond Latin-1: the byte Netty's encoder writes
   * for one. A value kept here is thus an AsciiString or a Latin-1 String (the decoders' are by
   * construction: one character per byte read), so {@link #encode} copies it instead of converting it
   * character by character.
   */
  private static String latin1(String value) {
    for (int i = 0, n = value.length(); i < n; i++) {
      if (value.charAt(i) > 0xFF) {
        char[] chars = value.toCharArray();
        for (int j = i; j < n; j++) {
          if (chars[j] > 0xFF) {
            chars[j] = '?';
          }
        }
        return new String(chars);
      }
    }
    return value;
  }
}
