package dev.tollgate.core.upstream;

import dev.tollgate.core.guard.FlatHttpHeaders;
import dev.tollgate.core.guard.HeaderNameCache;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.internal.StringUtil;
import java.util.ArrayDeque;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The codec stage of an HTTP/1.1 provider connection: Netty's request encoder and response decoder,
 * except that the body of a chunked response is de-chunked here. Netty's decoder makes a message (and
 * a slice) of every chunk, and a provider sends each SSE event as a chunk of its own; here the data of
 * every chunk one read brought goes on as one piece (the read's only chunk as a slice of the read, several
 * copied into one buffer), and the last piece of the body carries the rest of the data with it. Heads,
 * fixed-length and close-delimited bodies stay Netty's to decode. Chunk framing is parsed strictly
 * (CRLF line ends, hex sizes, CRLF after the data): a provider connection is reused, so a response must
 * end exactly where its framing says, and anything else fails the response and ignores the connection's
 * further input. As with Netty's client codec, the answer to a HEAD request has no body. Headers are
 * read into, and written from, {@link FlatHttpHeaders}.
 */
public final class UpstreamHttpCodec extends CombinedChannelDuplexHandler<UpstreamHttpCodec.ResponseDecoder,
    UpstreamHttpCodec.RequestEncoder> {

  /** A chunk-size line (size, extensions) longer than this fails the response. */
  static final int MAX_SIZE_LINE_BYTES = 4096;
  /** Trailer lines together longer than this fail the response. */
  static final int MAX_TRAILER_BYTES = 16 * 1024;
  private static final int MAX_SIZE_DIGITS = 8; // up to 0x7fffffff after the check below

  /** The methods of the requests sent and not yet answered, oldest first. */
  private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);

  public UpstreamHttpCodec(int maxInitialLineBytes, int maxHeaderBytes, int maxChunkBytes) {
    HttpDecoderConfig config = new HttpDecoderConfig().setMaxInitialLineLength(maxInitialLineBytes)
        .setMaxHeaderSize(maxHeaderBytes).setMaxChunkSize(maxChunkBytes).setHeadersFactory(FlatHttpHeaders.FACTORY)
        .setTrailersFactory(FlatHttpHeaders.TRAILERS_FACTORY);
    init(new ResponseDecoder(config), new RequestEncoder());
  }

  /** Netty's request encoder, noting each request's method for the decoder. */
  final class RequestEncoder extends HttpRequestEncoder {
    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
      if (msg instanceof HttpRequest request) {
        methods.add(request.method());
      }
      super.encode(ctx, msg, out);
    }

    @Override
    protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
      if (!FlatHttpHeaders.encodeIfFlat(headers, buf)) {
        super.encodeHeaders(headers, buf);
      }
    }
  }

  /** Netty's response decoder with the chunked body read here. */
  final class ResponseDecoder extends HttpResponseDecoder {

    private static final int NONE = 0;
    private static final int SIZE = 1;
    private static final int DATA = 2;
    private static final int DATA_END = 3;
    private static final int TRAILERS = 4;
    private static final int FAILED = 5;
    private static final String HTTP_1_1 = "HTTP/1.1";
    private static final String OK_CODE = "200";
    private static final String OK_REASON = "OK";

    private int state = NONE;
    private int dataLeft;
    private int trailerBytes;
    /** The body's trailers, made at the first one (most bodies have none). */
    private HttpHeaders trailers;
    /** Whether the data being gathered from one read is a copy (else a slice of the read). */
    private boolean dataCopied;

    ResponseDecoder(HttpDecoderConfig config) {
      super(config);
    }

    @Override
    protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
      return HeaderNameCache.name(sb, start, length);
    }

    // the status line of nearly every answer is "HTTP/1.1 200 OK": its words need no new strings
    @Override
    protected String splitFirstWordInitialLine(byte[] sb, int start, int length) {
      return spells(HTTP_1_1, sb, start, length) ? HTTP_1_1 : super.splitFirstWordInitialLine(sb, start, length);
    }

    @Override
    protected String splitSecondWordInitialLine(byte[] sb, int start, int length) {
      return spells(OK_CODE, sb, start, length) ? OK_CODE : super.splitSecondWordInitialLine(sb, start, length);
    }

    @Override
    protected String splitThirdWordInitialLine(byte[] sb, int start, int length) {
      return spells(OK_REASON, sb, start, length) ? OK_REASON : super.splitThirdWordInitialLine(sb, start, length);
    }

    private static boolean spells(String word, byte[] sb, int start, int length) {
      if (length != word.length()) {
        return false;
      }
      for (int i = 0; i < length; i++) {
        if (sb[start + i] != word.charAt(i)) {
          return false;
        }
      }
      return true;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
      if (state == NONE) {
        int before = out.size();
        super.decode(ctx, in, out);
        // a chunked head is the one message of its decode call (a head without a body comes with its end)
        if (out.size() == before + 1 && out.get(before) instanceof HttpResponse head
            && !(head instanceof LastHttpContent) && head.decoderResult().isSuccess()
            && HttpUtil.isTransferEncodingChunked(head)) {
          state = SIZE;
        }
        return;
      }
      if (state == FAILED) {
        in.skipBytes(in.readableBytes());
        return;
      }
      dechunk(ctx, in, out);
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
      if (((HttpResponse) msg).status().codeClass() != HttpStatusClass.INFORMATIONAL
          && HttpMethod.HEAD.equals(methods.poll())) {
        return true; // RFC 9110 9.3.2: the answer to HEAD has no body, whatever its headers say
      }
      return super.isContentAlwaysEmpty(msg);
    }

    /** Reads chunk framing and data from {@code in} until it runs out or the body ends. */
    private void dechunk(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      ByteBuf data = null; // this read's data: a slice of it while one chunk, then a copy
      try {
        while (state != NONE && state != FAILED) {
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
        if (state == NONE) { // the body ended: its last piece carries the data still held, and the trailers
          out.add(data == null && trailers == null ? LastHttpContent.EMPTY_LAST_CONTENT
              : new DefaultLastHttpContent(data != null ? data : Unpooled.EMPTY_BUFFER,
                  trailers != null ? trailers : EmptyHttpHeaders.INSTANCE));
          data = null;
          trailers = null;
          reset(); // Netty's decoder reads the next response's head
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
        state = NONE; // the empty line: the body is complete
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

    /** Optional white space around a field value: space and horizontal tab only (RFC 9110 5.6.3). */
    private static boolean isOws(byte b) {
      return b == ' ' || b == '\t';
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
  }

  /** Chunk framing a provider got wrong. */
  static final class FramingException extends Exception {
    private static final long serialVersionUID = 1L;

    FramingException(String message) {
      super(message, null, false, false);
    }
  }
}
