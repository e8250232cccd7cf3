package dev.tollgate.core.upstream;

import dev.tollgate.core.guard.HeaderValueCache;
import dev.tollgate.core.guard.Http1MessageDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Reads a provider's HTTP/1.1 responses, with what {@link Http1MessageDecoder} does for both sides (heads
 * read once into an array, names and values reused, chunked bodies de-chunked, strict framing); a
 * provider connection is reused, so a response must end exactly where its framing says. A failure is
 * handed on as a last piece whose result is the failure, and the connection's further input is ignored.
 * A provider sends each SSE event as a chunk of its own: the events one read brought go on as one piece.
 * An answer without a body, or whose whole body of known length came in the read with its head, goes on
 * as one {@link FullHttpResponse} (a JSON answer most often does).
 * The answer to a HEAD request, a 204 and a 304 have no body whatever their headers say; an interim
 * (1xx) head is handed on alone, and the final answer follows it; a 101 was never asked for and fails.
 * A body without a length ends when the connection does. White space before a header's colon is dropped
 * and a folded line joined to the value before it, as RFC 9112 lets a client do.
 */
final class UpstreamResponseDecoder extends Http1MessageDecoder {

  private static final int RELAY_ADDS = 2;
  private static final byte[] HTTP_1_1 = "HTTP/1.1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HTTP_1_0 = "HTTP/1.0".getBytes(StandardCharsets.US_ASCII);

  /** The methods of the requests sent and not yet answered, oldest first (the encoder adds them). */
  private final ArrayDeque<HttpMethod> methods;

  UpstreamResponseDecoder(ArrayDeque<HttpMethod> methods, int maxInitialLineBytes, int maxHeaderBytes) {
    super(maxInitialLineBytes, maxHeaderBytes);
    this.methods = methods;
  }

  @Override
  protected boolean lenientHeaderLines() {
    return true; // RFC 9112 5.1 and 5.2 let a client accept what a server must refuse
  }

  @Override
  protected int headerRoom() {
    return RELAY_ADDS; // the relay may add x-request-id and transfer-encoding
  }

  /** Reads the status line in {@code bytes[0, lineEnd)}: version SP code SP reason. */
  @Override
  protected void readMessage(byte[] bytes, int lineEnd, HttpHeaders headers, ByteBuf in, List<Object> out)
      throws FramingException {
    int at = 0;
    HttpVersion version;
    if (startsWith(bytes, at, lineEnd, HTTP_1_1)) {
      version = HttpVersion.HTTP_1_1;
    } else if (startsWith(bytes, at, lineEnd, HTTP_1_0)) {
      version = HttpVersion.HTTP_1_0;
    } else {
      throw malformed("not an HTTP/1.1 or HTTP/1.0 status line");
    }
    at += HTTP_1_1.length;
    if (at == lineEnd || !isOws(bytes[at])) {
      throw malformed("no status code after the version");
    }
    at = skipOws(bytes, at, lineEnd);
    if (lineEnd - at < 3 || !isDigit(bytes[at]) || !isDigit(bytes[at + 1]) || !isDigit(bytes[at + 2])
        || at + 3 < lineEnd && !isOws(bytes[at + 3]) || bytes[at] == '0') {
      throw malformed("no three-digit status code");
    }
    int code = (bytes[at] - '0') * 100 + (bytes[at + 1] - '0') * 10 + (bytes[at + 2] - '0');
    int reasonStart = skipOws(bytes, at + 3, lineEnd);
    HttpResponseStatus status = status(code, bytes, reasonStart, trimEnd(bytes, reasonStart, lineEnd));
    frame(version, status, headers, code, in, out);
  }

  /**
   * Hands the answer on and chooses how its body is read, as its status and framing headers say. An
   * answer without a body, or whose body of known length all came with the head (a JSON answer, most
   * often), goes on whole, as one message; no head object is made for it.
   */
  private void frame(HttpVersion version, HttpResponseStatus status, HttpHeaders headers, int code, ByteBuf in,
      List<Object> out) throws FramingException {
    if (code < 200) {
      if (code == 101) {
        throw malformed("a protocol switch that was never asked for");
      }
      out.add(new DefaultHttpResponse(version, status, headers)); // an interim answer: the final one follows
      return;
    }
    if (HttpMethod.HEAD.equals(methods.poll()) || code == 204 || code == 304) {
      FullHttpResponse bodyless = whole(version, status, headers, Unpooled.EMPTY_BUFFER);
      if (transferEncoding()) {
        HttpUtil.setTransferEncodingChunked(bodyless, false); // as Netty's decoder: there are no chunks
      }
      out.add(bodyless); // RFC 9110 6.4.1: no body, whatever the headers say
      return;
    }
    if (transferEncoding()) {
      if (version == HttpVersion.HTTP_1_0) {
        throw malformed("Transfer-Encoding in an HTTP/1.0 response");
      }
      boolean chunked = lastCodingIsChunked(headers);
      if (chunked && contentLengths() > 0) {
        headers.remove(HttpHeaderNames.CONTENT_LENGTH); // RFC 9112 6.3: chunked framing wins
      }
      out.add(new DefaultHttpResponse(version, status, headers));
      if (chunked) {
        chunkedBody();
      } else {
        bodyUntilClose();
      }
      return;
    }
    if (contentLengths() > 1) {
      throw malformed("more than one Content-Length");
    }
    if (contentLength() != null) {
      long length = parseLength(contentLength());
      if (length <= in.readableBytes()) {
        out.add(whole(version, status, headers,
            length == 0 ? Unpooled.EMPTY_BUFFER : in.readRetainedSlice((int) length)));
        return;
      }
      out.add(new DefaultHttpResponse(version, status, headers));
      bodyOfLength(length);
      return;
    }
    out.add(new DefaultHttpResponse(version, status, headers));
    bodyUntilClose(); // RFC 9112 6.3: no length, so the body ends with the connection
  }

  /** The answer with all of its body, as one message. */
  private static FullHttpResponse whole(HttpVersion version, HttpResponseStatus status, HttpHeaders headers,
      ByteBuf body) {
    return new DefaultFullHttpResponse(version, status, body, headers, EmptyHttpHeaders.INSTANCE);
  }

  /** A failure is handed on as a last piece whose result is the failure, in a head or in a body. */
  @Override
  protected Object failed(boolean inHead, FramingException failure) {
    LastHttpContent failed = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, EmptyHttpHeaders.INSTANCE);
    failed.setDecoderResult(DecoderResult.failure(failure));
    return failed;
  }

  /**
   * Netty's status constant when the reason is its usual one (no string made), else a status of its own;
   * a reason with a control character in it fails the response.
   */
  private static HttpResponseStatus status(int code, byte[] bytes, int from, int to) throws FramingException {
    HttpResponseStatus known = HttpResponseStatus.valueOf(code);
    String reason = known.reasonPhrase();
    if (reason.length() == to - from) {
      int i = 0;
      while (i < to - from && reason.charAt(i) == bytes[from + i]) {
        i++;
      }
      if (i == to - from) {
        return known;
      }
    }
    for (int i = from; i < to; i++) {
      if (bytes[i] < ' ' && bytes[i] != '\t' || bytes[i] == 0x7f) {
        throw malformed("a control character in the status line");
      }
    }
    return new HttpResponseStatus(code, HeaderValueCache.latin1(bytes, from, to - from));
  }

  private static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }

  private static FramingException malformed(String why) {
    return new FramingException(Problem.MALFORMED, why);
  }
}
