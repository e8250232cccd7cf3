package dev.tollgate.core.guard;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads a client's HTTP/1.1 requests, with what {@link Http1MessageDecoder} does for both sides (heads read
 * once into an array, names and values reused, chunked bodies de-chunked, strict framing). A request whose
 * whole body came with its head, as an SDK's JSON request does, is handed on as one
 * {@link FullHttpRequest} around the body as read (a slice, not a copy); any other is a head followed by
 * the pieces of its body, which {@link RequestBodyAggregator} gathers.
 *
 * <p>What RFC 9112 asks a server to refuse fails the request, and {@link RequestGuardHandler} answers it:
 * <ul>
 *   <li>a request line that is not {@code method SP target SP HTTP/1.x}, with a target of visible ASCII;
 *   <li>a request line or header lines over their limits ({@link Problem#START_LINE_TOO_LONG},
 *       {@link Problem#HEAD_TOO_LONG});
 *   <li>Content-Length together with Transfer-Encoding, or more than one Content-Length (the shapes of
 *       request smuggling: {@link Problem#AMBIGUOUS_LENGTH});
 *   <li>a Transfer-Encoding whose last coding is not chunked, or any in an HTTP/1.0 request;
 *   <li>white space before a header's colon, and folded header lines.
 * </ul>
 * A failure in a head is handed on as a request whose result is the failure; in a body, as a last piece
 * whose result is the failure. Either way the connection's further input is ignored.
 */
final class GatewayRequestDecoder extends Http1MessageDecoder {

  /** Room for the Content-Length that a request without a body is given. */
  private static final int ADDED_HEADERS = 1;
  private static final byte[] HTTP_1 = "HTTP/1.".getBytes(StandardCharsets.US_ASCII);
  private static final String NO_LENGTH = "0";
  /**
   * Netty's request constructors check the method and target again for characters a request line cannot
   * hold; {@link #readMessage} has already refused those (a method is a token, a target visible ASCII).
   */
  private static final boolean REVALIDATE_REQUEST_LINE = false;

  GatewayRequestDecoder(int maxInitialLineBytes, int maxHeaderBytes) {
    super(maxInitialLineBytes, maxHeaderBytes);
  }

  @Override
  protected boolean lenientHeaderLines() {
    return false;
  }

  @Override
  protected int headerRoom() {
    return ADDED_HEADERS;
  }

  /** Reads the request line in {@code bytes[0, lineEnd)}: method SP request-target SP HTTP-version. */
  @Override
  protected void readMessage(byte[] bytes, int lineEnd, HttpHeaders headers, ByteBuf in, List<Object> out)
      throws FramingException {
    int methodEnd = indexOfSpace(bytes, 0, lineEnd);
    int targetEnd = indexOfSpace(bytes, methodEnd + 1, lineEnd);
    if (methodEnd <= 0 || targetEnd <= methodEnd + 1 || lineEnd - targetEnd - 1 != HTTP_1.length + 1
        || !startsWith(bytes, targetEnd + 1, lineEnd, HTTP_1)) {
      throw malformed("a request line that is not: method SP target SP HTTP/1.x");
    }
    HttpVersion version = switch (bytes[lineEnd - 1]) {
      case '1' -> HttpVersion.HTTP_1_1;
      case '0' -> HttpVersion.HTTP_1_0;
      default -> throw malformed("an HTTP version other than 1.1 and 1.0");
    };
    HttpMethod method = method(bytes, methodEnd);
    String target = target(bytes, methodEnd + 1, targetEnd);
    frame(version, method, target, headers, in, out);
  }

  /** Hands the request on, whole if its body is here, and chooses how the rest of its body is read. */
  private void frame(HttpVersion version, HttpMethod method, String target, HttpHeaders headers, ByteBuf in,
      List<Object> out) throws FramingException {
    if (transferEncoding()) {
      if (contentLengths() > 0) {
        throw new FramingException(Problem.AMBIGUOUS_LENGTH, "both Content-Length and Transfer-Encoding");
      }
      if (version == HttpVersion.HTTP_1_0) {
        throw malformed("Transfer-Encoding in an HTTP/1.0 request");
      }
      if (!lastCodingIsChunked(headers)) {
        throw malformed("a Transfer-Encoding whose last coding is not chunked");
      }
      out.add(new DefaultHttpRequest(version, method, target, headers, REVALIDATE_REQUEST_LINE));
      chunkedBody();
      return;
    }
    if (contentLengths() > 1) {
      throw new FramingException(Problem.AMBIGUOUS_LENGTH, "more than one Content-Length");
    }
    long length = contentLength() == null ? 0 : parseLength(contentLength());
    if (contentLength() == null) {
      headers.add(HttpHeaderNames.CONTENT_LENGTH, NO_LENGTH); // as an aggregated request has it
    }
    if (length <= in.readableBytes()) {
      ByteBuf body = length == 0 ? Unpooled.EMPTY_BUFFER : in.readRetainedSlice((int) length);
      out.add(new DefaultFullHttpRequest(version, method, target, body, headers, EmptyHttpHeaders.INSTANCE,
          REVALIDATE_REQUEST_LINE));
      return;
    }
    out.add(new DefaultHttpRequest(version, method, target, headers, REVALIDATE_REQUEST_LINE));
    bodyOfLength(length);
  }

  /** The method's constant for the common ones, no string made; any other token as a method of its own. */
  private static HttpMethod method(byte[] bytes, int end) throws FramingException {
    HttpMethod known = switch (end) {
      case 3 -> spells(bytes, end, HttpMethod.GET) ? HttpMethod.GET : spells(bytes, end, HttpMethod.PUT) ? HttpMethod.PUT : null;
      case 4 -> spells(bytes, end, HttpMethod.POST) ? HttpMethod.POST : spells(bytes, end, HttpMethod.HEAD) ? HttpMethod.HEAD : null;
      case 5 -> spells(bytes, end, HttpMethod.PATCH) ? HttpMethod.PATCH : null;
      case 6 -> spells(bytes, end, HttpMethod.DELETE) ? HttpMethod.DELETE : null;
      case 7 -> spells(bytes, end, HttpMethod.OPTIONS) ? HttpMethod.OPTIONS : null;
      default -> null;
    };
    if (known != null) {
      return known;
    }
    for (int i = 0; i < end; i++) {
      if (!isTokenChar(bytes[i])) {
        throw malformed("a method that is not a token");
      }
    }
    return HttpMethod.valueOf(HeaderValueCache.latin1(bytes, 0, end));
  }

  private static boolean spells(byte[] bytes, int end, HttpMethod method) {
    return startsWith(bytes, 0, end, method.asciiName().array());
  }

  /**
   * The request target, visible ASCII only. A target without a query is taken from the value cache (a
   * client calls the same few paths); one with a query is always a new string, since a query may carry a
   * credential ({@code ?key=…}), and credentials are never kept.
   */
  private static String target(byte[] bytes, int from, int to) throws FramingException {
    boolean query = false;
    for (int i = from; i < to; i++) {
      byte b = bytes[i];
      if (b <= ' ' || b == 0x7f) { // a negative byte (not ASCII) too
        throw malformed("a request target with a byte that is not visible ASCII");
      }
      query |= b == '?';
    }
    return query ? HeaderValueCache.latin1(bytes, from, to - from) : HeaderValueCache.value(bytes, from, to - from);
  }

  /** The index of the first space in {@code bytes[from, to)}, or -1. */
  private static int indexOfSpace(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] == ' ') {
        return i;
      }
    }
    return -1;
  }

  /** RFC 9110 5.6.2: tchar. */
  private static boolean isTokenChar(byte b) {
    if (b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9') {
      return true;
    }
    return "!#$%&'*+-.^_`|~".indexOf(b) >= 0;
  }

  /**
   * A failed head is handed on as Netty's decoder hands one on: a request with no body whose result is the
   * failure; a failed body as a last piece whose result is the failure.
   */
  @Override
  protected Object failed(boolean inHead, FramingException failure) {
    LastHttpContent failed = inHead
        ? new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request", Unpooled.EMPTY_BUFFER,
            FlatHttpHeaders.withRoomFor(0), EmptyHttpHeaders.INSTANCE)
        : new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, EmptyHttpHeaders.INSTANCE);
    failed.setDecoderResult(DecoderResult.failure(failure));
    return failed;
  }

  /** A client that closes with part of a head sent has nothing to be answered. */
  @Override
  protected void closedInHead(ByteBuf in, List<Object> out) {
    in.skipBytes(in.readableBytes());
  }

  private static FramingException malformed(String why) {
    return new FramingException(Problem.MALFORMED, why);
  }
}
