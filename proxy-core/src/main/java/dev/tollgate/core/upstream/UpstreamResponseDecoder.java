package dev.tollgate.core.upstream;

import dev.tollgate.core.guard.FlatHttpHeaders;
import dev.tollgate.core.guard.HeaderNameCache;
import dev.tollgate.core.guard.HeaderValueCache;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.internal.StringUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Reads a provider's HTTP/1.1 responses: heads and bodies of every framing, as Netty's response decoder
 * hands them on (a head, then pieces of the body, the last one a {@link LastHttpContent}), with three
 * differences that matter on a gateway.
 * <ul>
 *   <li>A head's header values repeated from earlier answers are the strings made then
 *       ({@link HeaderValueCache}), as its names are ({@link HeaderNameCache}); cookies are never kept.
 *   <li>A chunked body is de-chunked here: the data of every chunk one read brought goes on as one piece
 *       (the read's only chunk as a slice of the read, several copied into one buffer), and the last piece
 *       carries the rest of the data with it. A provider sends each SSE event as a chunk of its own.
 *   <li>Framing is parsed strictly (CRLF line ends, one Content-Length, hex chunk sizes, CRLF after chunk
 *       data): a provider connection is reused, so a response must end exactly where its framing says.
 *       Anything else fails the response (a last piece whose result is the failure) and the connection's
 *       further input is ignored.
 * </ul>
 * The answer to a HEAD request, a 204 and a 304 have no body whatever their headers say; an interim
 * (1xx) head is handed on alone, and the final answer follows it; a 101 was never asked for and fails.
 * A body without a length ends when the connection does.
 */
final class UpstreamResponseDecoder extends ByteToMessageDecoder {

  /** A chunk-size line (size, extensions) longer than this fails the response. */
  static final int MAX_SIZE_LINE_BYTES = 4096;
  /** Trailer lines together longer than this fail the response. */
  static final int MAX_TRAILER_BYTES = 16 * 1024;
  private static final int MAX_SIZE_DIGITS = 8; // up to 0x7fffffff after the check below
  private static final int RELAY_ADDS = 2;

  private static final int HEAD = 0;
  private static final int FIXED = 1;
  private static final int UNTIL_CLOSE = 2;
  private static final int SIZE = 3;
  private static final int DATA = 4;
  private static final int DATA_END = 5;
  private static final int TRAILERS = 6;
  private static final int FAILED = 7;

  private static final byte[] HTTP_1_1 = "HTTP/1.1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HTTP_1_0 = "HTTP/1.0".getBytes(StandardCharsets.US_ASCII);
  private static final AsciiString CHUNKED = AsciiString.cached("chunked");

  /** Per event-loop thread: a head is copied here whole and read from the array. */
  private static final FastThreadLocal<byte[]> HEAD_BYTES = new FastThreadLocal<>() {
    @Override
    protected byte[] initialValue() {
      return new byte[4096];
    }
  };

  /** The methods of the requests sent and not yet answered, oldest first (the encoder adds them). */
  private final ArrayDeque<HttpMethod> methods;
  private final int maxInitialLineBytes;
  private final int maxHeaderBytes;

  private int state = HEAD;
  /** Of the head being received: the bytes (from the reader index) known to hold whole lines. */
  private int headScanned;
  /** Of the head being received: where its header lines start (from the reader index), once known. */
  private int headersStart;
  /** Of the head being received: the header lines found whole so far. */
  private int headerLines;
  private long bodyLeft;
  private int dataLeft;
  private int trailerBytes;
  /** The body's trailers, made at the first one (most bodies have none). */
  private HttpHeaders trailers;
  /** Whether the data being gathered from one read is a copy (else a slice of the read). */
  private boolean dataCopied;

  UpstreamResponseDecoder(ArrayDeque<HttpMethod> methods, int maxInitialLineBytes, int maxHeaderBytes) {
    this.methods = methods;
    this.maxInitialLineBytes = maxInitialLineBytes;
    this.maxHeaderBytes = maxHeaderBytes;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    switch (state) {
      case HEAD -> {
        try {
          readHead(in, out);
        } catch (FramingException e) {
          fail(in, out, null, e.getMessage());
        }
      }
      case FIXED -> {
        int n = (int) Math.min(bodyLeft, in.readableBytes());
        if (n == 0) {
          return;
        }
        ByteBuf data = in.readRetainedSlice(n);
        bodyLeft -= n;
        if (bodyLeft == 0) {
          state = HEAD;
          out.add(new DefaultLastHttpContent(data, EmptyHttpHeaders.INSTANCE));
        } else {
          out.add(new DefaultHttpContent(data));
        }
      }
      case UNTIL_CLOSE -> {
        if (in.isReadable()) {
          out.add(new DefaultHttpContent(in.readRetainedSlice(in.readableBytes())));
        }
      }
      case FAILED -> in.skipBytes(in.readableBytes());
      default -> dechunk(ctx, in, out);
    }
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    super.decodeLast(ctx, in, out);
    if (state == UNTIL_CLOSE) {
      state = HEAD;
      out.add(LastHttpContent.EMPTY_LAST_CONTENT); // the connection's end is the body's
    } else if (state == HEAD && in.isReadable()) {
      fail(in, out, null, "the connection closed in the middle of a response head");
    }
    // a body cut short by the close gets no last piece: it never ended
  }

  // ---- heads

  /** Reads a head if all of it is here, and hands it on with what its framing implies. */
  private void readHead(ByteBuf in, List<Object> out) throws FramingException {
    int from = in.readerIndex();
    int to = in.writerIndex();
    if (headScanned == 0) {
      // what may precede a status line (a stray CRLF after a body, say) is skipped, as Netty does
      while (from < to && (in.getByte(from) & 0xff) <= ' ') {
        from++;
      }
      in.readerIndex(from);
    }
    int headEnd = findHeadEnd(in, from, to);
    if (headEnd < 0) {
      return;
    }
    int length = headEnd - from;
    byte[] bytes = HEAD_BYTES.get();
    if (bytes.length < length) {
      bytes = new byte[Math.max(length, 2 * bytes.length)];
      HEAD_BYTES.set(bytes);
    }
    in.getBytes(from, bytes, 0, length);
    in.readerIndex(headEnd);
    headScanned = 0;
    parseHead(bytes, length, out);
  }

  /**
   * The index just past the empty line that ends the head starting at {@code from}, or -1 if it has not
   * all arrived yet; lines already found whole are not searched again. The status line may be as long as
   * {@code maxInitialLineBytes}, the header lines after it together as long as {@code maxHeaderBytes}.
   */
  private int findHeadEnd(ByteBuf in, int from, int to) throws FramingException {
    int lineStart = from + headScanned;
    while (true) {
      boolean statusLine = lineStart == from;
      int limit = statusLine ? from + maxInitialLineBytes + 2 : from + headersStart + maxHeaderBytes + 2;
      int lf = in.indexOf(lineStart, Math.min(to, limit), (byte) '\n');
      if (lf < 0) {
        if (to >= limit) {
          throw new FramingException(statusLine ? "a status line longer than " + maxInitialLineBytes + " bytes"
              : "response headers longer than " + maxHeaderBytes + " bytes");
        }
        headScanned = lineStart - from;
        return -1;
      }
      if (lf == lineStart || in.getByte(lf - 1) != '\r') {
        throw new FramingException("a response head line not ended by CRLF");
      }
      if (statusLine) {
        headersStart = lf + 1 - from;
        headerLines = 0;
      } else if (lf - 1 == lineStart) {
        return lf + 1; // the empty line
      } else {
        headerLines++;
      }
      lineStart = lf + 1;
    }
  }

  /** Reads the head in {@code bytes[0, length)} (CRLF line ends, the empty line last) and hands it on. */
  private void parseHead(byte[] bytes, int length, List<Object> out) throws FramingException {
    int lineEnd = lineEnd(bytes, 0);
    // the status line: version SP code SP reason
    int at = 0;
    HttpVersion version;
    if (startsWith(bytes, at, lineEnd, HTTP_1_1)) {
      version = HttpVersion.HTTP_1_1;
    } else if (startsWith(bytes, at, lineEnd, HTTP_1_0)) {
      version = HttpVersion.HTTP_1_0;
    } else {
      throw new FramingException("not an HTTP/1.1 or HTTP/1.0 status line");
    }
    at += HTTP_1_1.length;
    if (at == lineEnd || !isOws(bytes[at])) {
      throw new FramingException("no status code after the version");
    }
    at = skipOws(bytes, at, lineEnd);
    if (lineEnd - at < 3 || !isDigit(bytes[at]) || !isDigit(bytes[at + 1]) || !isDigit(bytes[at + 2])
        || at + 3 < lineEnd && !isOws(bytes[at + 3]) || bytes[at] == '0') {
      throw new FramingException("no three-digit status code");
    }
    int code = (bytes[at] - '0') * 100 + (bytes[at + 1] - '0') * 10 + (bytes[at + 2] - '0');
    int reasonStart = skipOws(bytes, at + 3, lineEnd);
    HttpResponseStatus status = status(code, bytes, reasonStart, trimEnd(bytes, reasonStart, lineEnd));

    // room for the head's lines and for the two the relay may add (x-request-id, transfer-encoding)
    HttpHeaders headers = FlatHttpHeaders.withRoomFor(headerLines + RELAY_ADDS);
    String contentLength = null;
    int contentLengths = 0;
    boolean transferEncoding = false;
    CharSequence name = null;
    String value = null;
    for (int lineStart = lineEnd + 2; lineStart < length - 2; lineStart = lineEnd + 2) {
      lineEnd = lineEnd(bytes, lineStart);
      if (isOws(bytes[lineStart])) { // an obsolete folded line: part of the value before it
        if (name == null) {
          throw new FramingException("a response head's first header line starts with white space");
        }
        int from = skipOws(bytes, lineStart, lineEnd);
        value = value + ' ' + HeaderValueCache.latin1(bytes, from, trimEnd(bytes, from, lineEnd) - from);
        continue;
      }
      if (name != null) {
        add(headers, name, value);
      }
      int nameEnd = lineStart;
      while (nameEnd < lineEnd && bytes[nameEnd] != ':' && !isOws(bytes[nameEnd])) {
        nameEnd++;
      }
      int colon = skipOws(bytes, nameEnd, lineEnd); // white space before the colon is dropped, as RFC 9112 says
      if (colon == lineEnd || bytes[colon] != ':' || nameEnd == lineStart) {
        throw new FramingException("a response header line without a name and a colon");
      }
      name = HeaderNameCache.name(bytes, lineStart, nameEnd - lineStart);
      int from = skipOws(bytes, colon + 1, lineEnd);
      int valueLength = trimEnd(bytes, from, lineEnd) - from;
      if (isNamed(name, HttpHeaderNames.SET_COOKIE)) {
        value = HeaderValueCache.latin1(bytes, from, valueLength);
      } else {
        value = HeaderValueCache.value(bytes, from, valueLength);
      }
      if (isNamed(name, HttpHeaderNames.CONTENT_LENGTH)) {
        contentLength = value;
        contentLengths++;
      } else if (isNamed(name, HttpHeaderNames.TRANSFER_ENCODING)) {
        transferEncoding = true;
      }
    }
    if (name != null) {
      add(headers, name, value);
    }
    DefaultHttpResponse head = new DefaultHttpResponse(version, status, headers);
    frame(head, code, contentLength, contentLengths, transferEncoding, out);
  }

  /** Hands {@code head} on and sets the state for its body, as its status and framing headers say. */
  private void frame(DefaultHttpResponse head, int code, String contentLength, int contentLengths,
      boolean transferEncoding, List<Object> out) throws FramingException {
    if (code < 200) {
      if (code == 101) {
        throw new FramingException("a protocol switch that was never asked for");
      }
      out.add(head); // an interim answer: the final one follows
      return;
    }
    if (HttpMethod.HEAD.equals(methods.poll()) || code == 204 || code == 304) {
      if (transferEncoding) {
        HttpUtil.setTransferEncodingChunked(head, false); // as Netty's decoder: there are no chunks
      }
      out.add(head);
      out.add(LastHttpContent.EMPTY_LAST_CONTENT); // RFC 9110 6.4.1: no body, whatever the headers say
      return;
    }
    if (transferEncoding) {
      if (head.protocolVersion() == HttpVersion.HTTP_1_0) {
        throw new FramingException("Transfer-Encoding in an HTTP/1.0 response");
      }
      if (lastCodingIsChunked(head.headers())) {
        if (contentLengths > 0) {
          head.headers().remove(HttpHeaderNames.CONTENT_LENGTH); // RFC 9112 6.3: chunked framing wins
        }
        out.add(head);
        state = SIZE;
        return;
      }
      out.add(head);
      state = UNTIL_CLOSE;
      return;
    }
    if (contentLengths > 1) {
      throw new FramingException("more than one Content-Length");
    }
    if (contentLength != null) {
      long length = parseLength(contentLength);
      out.add(head);
      if (length == 0) {
        out.add(LastHttpContent.EMPTY_LAST_CONTENT);
      } else {
        bodyLeft = length;
        state = FIXED;
      }
      return;
    }
    out.add(head);
    state = UNTIL_CLOSE; // RFC 9112 6.3: no length, so the body ends with the connection
  }

  /** Whether chunked is the last transfer coding; chunked anywhere else fails the response. */
  private static boolean lastCodingIsChunked(HttpHeaders headers) throws FramingException {
    List<String> fields = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    boolean chunkedLast = false;
    for (int f = 0; f < fields.size(); f++) {
      String field = fields.get(f);
      int start = 0;
      while (start <= field.length()) {
        int comma = field.indexOf(',', start);
        int end = comma < 0 ? field.length() : comma;
        int from = start;
        int to = end;
        while (from < to && isOws((byte) field.charAt(from))) {
          from++;
        }
        while (to > from && isOws((byte) field.charAt(to - 1))) {
          to--;
        }
        if (to > from) {
          if (chunkedLast) {
            throw new FramingException("chunked is not the last transfer coding");
          }
          chunkedLast = to - from == CHUNKED.length() && CHUNKED.regionMatches(true, 0, field, from, to - from);
        }
        start = end + 1;
      }
    }
    return chunkedLast;
  }

  private static long parseLength(String value) throws FramingException {
    if (value.isEmpty() || value.length() > 18) {
      throw new FramingException("an invalid Content-Length");
    }
    long length = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        throw new FramingException("an invalid Content-Length");
      }
      length = length * 10 + (c - '0');
    }
    return length;
  }

  private static void add(HttpHeaders headers, CharSequence name, String value) throws FramingException {
    try {
      headers.add(name, value); // validated: names are tokens, values have no control characters
    } catch (IllegalArgumentException e) {
      throw new FramingException("an invalid response header: " + e.getMessage());
    }
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
        throw new FramingException("a control character in the status line");
      }
    }
    return new HttpResponseStatus(code, HeaderValueCache.latin1(bytes, from, to - from));
  }

  private static boolean isNamed(CharSequence name, AsciiString expected) {
    return name.length() == expected.length() && expected.contentEqualsIgnoreCase(name);
  }

  /**
   * The index of the CR that ends the line starting at {@code from}: the head is whole and each of its
   * LFs follows a CR. A bare CR inside a line stays in it, and the validation of names and values refuses it.
   */
  private static int lineEnd(byte[] bytes, int from) {
    int i = from;
    while (bytes[i] != '\n') {
      i++;
    }
    return i - 1;
  }

  private static boolean startsWith(byte[] bytes, int from, int to, byte[] prefix) {
    if (to - from < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (bytes[from + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static int skipOws(byte[] bytes, int from, int to) {
    while (from < to && isOws(bytes[from])) {
      from++;
    }
    return from;
  }

  private static int trimEnd(byte[] bytes, int from, int to) {
    while (to > from && isOws(bytes[to - 1])) {
      to--;
    }
    return to;
  }

  private static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }

  /** Optional white space around a field value: space and horizontal tab only (RFC 9110 5.6.3). */
  private static boolean isOws(byte b) {
    return b == ' ' || b == '\t';
  }

  // ---- chunked bodies

  /** Reads chunk framing and data from {@code in} until it runs out or the body ends. */
  private void dechunk(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    ByteBuf data = null; // this read's data: a slice of it while one chunk, then a copy
    try {
      while (state != HEAD && state != FAILED) {
        if (state == SIZE) {
          int size = readSizeLine(in);
          if (size < 0) {
            break; // the line is not all here yet
          }
          if (size == 0) {
            state = TRAILERS;
            trailerBytes = 0;
          } else {
            dataLeft = size;
            state = DATA;
          }
        } else if (state == DATA) {
          int n = Math.min(dataLeft, in.readableBytes());
          if (n == 0) {
            break;
          }
          data = append(ctx, data, in, n);
          dataLeft -= n;
          if (dataLeft == 0) {
            state = DATA_END;
          }
        } else if (state == DATA_END) {
          if (in.readableBytes() < 2) {
            break;
          }
          if (in.readByte() != '\r' || in.readByte() != '\n') {
            fail(in, out, data, "no CRLF after a chunk's data");
            data = null;
            return;
          }
          state = SIZE;
        } else if (!readTrailerLine(in)) { // TRAILERS
          break;
        }
      }
      if (state == HEAD) { // the body ended: its last piece carries the data still held, and the trailers
        out.add(data == null && trailers == null ? LastHttpContent.EMPTY_LAST_CONTENT
            : new DefaultLastHttpContent(data != null ? data : Unpooled.EMPTY_BUFFER,
                trailers != null ? trailers : EmptyHttpHeaders.INSTANCE));
        data = null;
        trailers = null;
      } else if (data != null) {
        out.add(new DefaultHttpContent(data));
        data = null;
      }
    } catch (FramingException e) {
      fail(in, out, data, e.getMessage());
    }
  }

  /**
   * {@code data} with the next {@code n} bytes of {@code in} added: the read's first chunk is a slice of
   * it, and a second one turns it into a copy with room for all the read still holds.
   */
  private ByteBuf append(ChannelHandlerContext ctx, ByteBuf data, ByteBuf in, int n) {
    if (data == null) {
      dataCopied = false;
      return in.readRetainedSlice(n);
    }
    if (!dataCopied) {
      ByteBuf copy = ctx.alloc().buffer(data.readableBytes() + in.readableBytes());
      copy.writeBytes(data);
      data.release();
      data = copy;
      dataCopied = true;
    }
    data.writeBytes(in, n);
    return data;
  }

  /** The size of the chunk whose size line {@code in} starts with, consumed; -1 if the line is incomplete. */
  private int readSizeLine(ByteBuf in) throws FramingException {
    int from = in.readerIndex();
    int lf = in.indexOf(from, from + Math.min(in.readableBytes(), MAX_SIZE_LINE_BYTES), (byte) '\n');
    if (lf < 0) {
      if (in.readableBytes() >= MAX_SIZE_LINE_BYTES) {
        throw new FramingException("a chunk size line longer than " + MAX_SIZE_LINE_BYTES + " bytes");
      }
      return -1;
    }
    if (lf == from || in.getByte(lf - 1) != '\r') {
      throw new FramingException("a chunk size line not ended by CRLF");
    }
    int end = lf - 1; // the CR
    long size = 0;
    int i = from;
    for (; i < end; i++) {
      int digit = StringUtil.decodeHexNibble(in.getByte(i));
      if (digit < 0) {
        break;
      }
      if (i - from == MAX_SIZE_DIGITS) {
        throw new FramingException("a chunk size of more than " + MAX_SIZE_DIGITS + " digits");
      }
      size = size * 16 + digit;
    }
    if (i == from || size > Integer.MAX_VALUE) {
      throw new FramingException("no valid chunk size");
    }
    while (i < end && (in.getByte(i) == ' ' || in.getByte(i) == '\t')) {
      i++;
    }
    if (i < end && in.getByte(i) != ';') {
      throw new FramingException("a chunk size followed by neither CRLF nor an extension");
    }
    for (; i < end; i++) { // an extension: ignored, but no control bytes in it (a CR would end the line)
      byte b = in.getByte(i);
      if (b < ' ' && b != '\t' || b == 0x7f) {
        throw new FramingException("a control byte in a chunk extension");
      }
    }
    in.readerIndex(lf + 1);
    return (int) size;
  }

  /** Reads one trailer line if all of it is here: false if not; the empty line ends the body. */
  private boolean readTrailerLine(ByteBuf in) throws FramingException {
    int from = in.readerIndex();
    int lf = in.indexOf(from, in.writerIndex(), (byte) '\n');
    if (lf < 0) {
      if (trailerBytes + in.readableBytes() > MAX_TRAILER_BYTES) {
        throw new FramingException("trailers longer than " + MAX_TRAILER_BYTES + " bytes");
      }
      return false;
    }
    if (lf == from || in.getByte(lf - 1) != '\r') {
      throw new FramingException("a trailer line not ended by CRLF");
    }
    trailerBytes += lf + 1 - from;
    if (trailerBytes > MAX_TRAILER_BYTES) {
      throw new FramingException("trailers longer than " + MAX_TRAILER_BYTES + " bytes");
    }
    int end = lf - 1;
    in.readerIndex(lf + 1);
    if (end == from) {
      state = HEAD; // the empty line: the body is complete
      return true;
    }
    int colon = in.indexOf(from, end, (byte) ':');
    if (colon <= from) {
      throw new FramingException("a trailer line without a name");
    }
    int valueFrom = colon + 1;
    int valueTo = end;
    while (valueFrom < valueTo && isOws(in.getByte(valueFrom))) {
      valueFrom++;
    }
    while (valueTo > valueFrom && isOws(in.getByte(valueTo - 1))) {
      valueTo--;
    }
    String name = in.toString(from, colon - from, StandardCharsets.US_ASCII);
    String value = in.toString(valueFrom, valueTo - valueFrom, StandardCharsets.ISO_8859_1);
    if (trailers == null) {
      trailers = FlatHttpHeaders.TRAILERS_FACTORY.newHeaders();
    }
    try {
      trailers.add(name, value); // validated: names, values, and no framing headers
    } catch (IllegalArgumentException e) {
      throw new FramingException("an invalid trailer: " + e.getMessage());
    }
    return true;
  }


  /** Fails the response: a last piece whose result is the failure; the connection's further input is ignored. */
  private void fail(ByteBuf in, List<Object> out, ByteBuf data, String why) {
    if (data != null) {
      data.release();
    }
    trailers = null;
    state = FAILED;
    in.skipBytes(in.readableBytes());
    LastHttpContent failed = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, EmptyHttpHeaders.INSTANCE);
    failed.setDecoderResult(DecoderResult.failure(new FramingException(why)));
    out.add(failed);
  }

  /** Chunk framing a provider got wrong. */
  static final class FramingException extends Exception {
    private static final long serialVersionUID = 1L;

    FramingException(String message) {
      super(message, null, false, false);
    }
  }
}
