package dev.tollgate.core.upstream;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

/** Header rules for relayed responses: hop-by-hop headers stop at the gateway. */
final class ResponseHeaders {

  private static final HeaderNames HOP_BY_HOP = new HeaderNames(List.of(
      HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, AsciiString.cached("proxy-connection"),
      HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE,
      HttpHeaderNames.PROXY_AUTHENTICATE));

  private ResponseHeaders() {
  }

  /** Removes the hop-by-hop headers and those the provider's {@code Connection} header names. */
  static void stripHopByHop(HttpHeaders headers) {
    HOP_BY_HOP.removeFrom(headers);
  }
}
