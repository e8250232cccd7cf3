package dev.tollgate.core.cache;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One cached upstream response: status 200, the headers worth replaying and the body, held as a heap
 * {@code byte[]} that nothing ever writes to, so a cached entry owns no {@code ByteBuf} and cannot leak
 * one. Immutable and safe to share between event loops.
 */
public final class CachedResponse {

  /** Headers kept by default: enough for a client to decode the body. */
  public static final Set<String> DEFAULT_KEPT_HEADERS = Set.of("content-type", "content-encoding");
  /** Header set on every response served from the cache. */
  public static final String CACHE_STATUS_HEADER = "x-tollgate-cache";

  // Per-header bookkeeping of the entry and of the HttpHeaders it is copied into, in the weight only.
  private static final int HEADER_OVERHEAD_BYTES = 48;
  // The key (tenant id, 64 hex chars), the entry object, the array header and Caffeine's node.
  private static final int ENTRY_OVERHEAD_BYTES = 256;

  private final List<Map.Entry<String, String>> headers;
  private final byte[] body;
  private final int weightBytes;

  private CachedResponse(List<Map.Entry<String, String>> headers, byte[] body) {
    this.headers = List.copyOf(headers);
    this.body = body;
    long weight = ENTRY_OVERHEAD_BYTES + (long) body.length;
    for (Map.Entry<String, String> header : this.headers) {
      weight += HEADER_OVERHEAD_BYTES + header.getKey().length() + header.getValue().length();
    }
    this.weightBytes = (int) Math.min(Integer.MAX_VALUE, weight);
  }

  /**
   * A copy of {@code response} fit for the cache, or empty when it must not be cached: a status other
   * than 200, or a streaming ({@code text/event-stream}) body. Copies the content; does not release
   * {@code response} or move its reader index: the caller still owns it.
   */
  public static Optional<CachedResponse> from(FullHttpResponse response, Set<String> keptHeaders) {
    requireNonNull(response, "response");
    requireNonNull(keptHeaders, "keptHeaders");
    if (response.status().code() != 200) {
      return Optional.empty();
    }
    String contentType = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
    if (contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
      return Optional.empty();
    }
    return Optional.of(new CachedResponse(kept(response.headers(), keptHeaders), ByteBufUtil.getBytes(response.content())));
  }

  /** A response of {@code headers} (name, value) and a copy of {@code body}. */
  public static CachedResponse of(List<Map.Entry<String, String>> headers, byte[] body) {
    return new CachedResponse(requireNonNull(headers, "headers"), requireNonNull(body, "body").clone());
  }

  /**
   * A new 200 response with the kept headers, {@code content-length} and {@code x-tollgate-cache: hit}.
   * Its content is a read-only wrapper around the cached bytes (no copy). The caller owns the returned
   * response and releases it, normally by writing it to the channel; releasing it never touches the entry.
   */
  public FullHttpResponse toHttpResponse() {
    FullHttpResponse response = new DefaultFullHttpResponse(
        HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body).asReadOnly());
    for (Map.Entry<String, String> header : headers) {
      response.headers().add(header.getKey(), header.getValue());
    }
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    response.headers().set(CACHE_STATUS_HEADER, "hit");
    return response;
  }

  /** A copy of the body bytes. */
  public byte[] body() {
    return body.clone();
  }

  public int bodyLength() {
    return body.length;
  }

  public List<Map.Entry<String, String>> headers() {
    return headers;
  }

  /** What this entry is charged against the cache's byte budget: body, headers and a fixed overhead. */
  public int weightBytes() {
    return weightBytes;
  }

  @Override
  public String toString() {
    return "CachedResponse[bodyLength=" + body.length + ", headers=" + headers.size() + "]";
  }

  private static List<Map.Entry<String, String>> kept(HttpHeaders headers, Set<String> keptHeaders) {
    List<Map.Entry<String, String>> kept = new ArrayList<>();
    for (Map.Entry<String, String> header : headers) {
      if (keptHeaders.contains(header.getKey().toLowerCase(Locale.ROOT))) {
        kept.add(Map.entry(header.getKey().toLowerCase(Locale.ROOT), header.getValue()));
      }
    }
    return kept;
  }
}
