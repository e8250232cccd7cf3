package dev.tollgate.core.guard;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;

/**
 * The codec stage: HTTP/1.1 request decoding by our own {@link GatewayRequestDecoder}, with the configured
 * line and header limits (a request whose framing is ambiguous, the classic request-smuggling shape, fails
 * so that {@link RequestGuardHandler} refuses it), and response encoding. A small chunk of a chunked
 * response goes out as one buffer (size line, data and CRLF together) rather than three writes tied by a
 * promise combiner: one streamed SSE event costs one write. A whole response of known length with a
 * small body (a JSON answer, an error) is one buffer too. Headers are read into, and written from,
 * {@link FlatHttpHeaders}. One per channel.
 */
public final class GatewayHttpCodec
    extends CombinedChannelDuplexHandler<GatewayRequestDecoder, HttpResponseEncoder> {

  public GatewayHttpCodec(int maxInitialLineBytes, int maxHeaderBytes) {
    init(new GatewayRequestDecoder(maxInitialLineBytes, maxHeaderBytes), new CoalescingResponseEncoder());
  }

  /**
   * Netty's response encoder, except that a chunk of at most {@link #MAX_FRAMED_BYTES} of a chunked
   * response is framed here, into one buffer: Netty writes size line, data and CRLF as three buffers
   * whose promises a {@code PromiseCombiner} ties together, allocating per chunk. The data of a last
   * chunk without trailers is framed the same way, followed by Netty's terminating zero-size chunk. A
   * whole response of known length with a small body is one buffer ({@link WholeMessages}). The headers
   * and every other message are Netty's to encode.
   */
  private static final class CoalescingResponseEncoder extends HttpResponseEncoder
      implements WholeMessages.HeadEncoder<FullHttpResponse> {

    /** Larger chunks keep Netty's writes, which do not copy the data. */
    private static final int MAX_FRAMED_BYTES = 8 * 1024;
    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final int CRLF = ('\r' << 8) | '\n';
    // whether the response being written is chunked (set from its head, cleared by its last chunk)
    private boolean chunked;
    // whether Netty's encoder is in the middle of a response (a head written without its last content)
    private boolean inMessage;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
      if (!inMessage && msg instanceof FullHttpResponse whole && WholeMessages.fits(whole)
          && !isContentAlwaysEmpty(whole)) {
        ctx.write(WholeMessages.encode(ctx.alloc(), whole, this), promise);
        return;
      }
      if (chunked && msg instanceof HttpContent content && content.content().isReadable()
          && content.content().readableBytes() <= MAX_FRAMED_BYTES) {
        if (!(msg instanceof LastHttpContent)) {
          writeChunk(ctx, content, promise);
          return;
        }
        if (((LastHttpContent) msg).trailingHeaders().isEmpty()) {
          // the data framed here, the terminating chunk by Netty (whose encoder state it ends); the
          // caller's promise follows the terminating chunk, written after the data on the same channel
          writeChunk(ctx, content, ctx.voidPromise());
          chunked = false;
          inMessage = false;
          super.write(ctx, LastHttpContent.EMPTY_LAST_CONTENT, promise);
          return;
        }
      }
      if (msg instanceof HttpResponse response) {
        // as Netty's encoder decides: a status without a body never has chunks
        chunked = !(msg instanceof LastHttpContent) && !isContentAlwaysEmpty(response)
            && HttpUtil.isTransferEncodingChunked(response);
        inMessage = !(msg instanceof LastHttpContent);
      } else if (msg instanceof LastHttpContent) {
        chunked = false;
        inMessage = false;
      }
      super.write(ctx, msg, promise);
    }

    @Override
    public void encodeHead(ByteBuf out, FullHttpResponse response) throws Exception {
      encodeInitialLine(out, response);
      encodeHeaders(response.headers(), out);
    }

    @Override
    protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
      if (!FlatHttpHeaders.encodeIfFlat(headers, buf)) {
        super.encodeHeaders(headers, buf);
      }
    }

    /** Writes {@code <size in hex> CRLF <data> CRLF} as one buffer; releases {@code content}. */
    private static void writeChunk(ChannelHandlerContext ctx, HttpContent content, ChannelPromise promise) {
      ByteBuf frame;
      try {
        ByteBuf data = content.content();
        int length = data.readableBytes();
        int hexDigits = (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 3) / 4;
        frame = ctx.alloc().buffer(hexDigits + 2 + length + 2); // released by the transport once written
        for (int shift = (hexDigits - 1) * 4; shift >= 0; shift -= 4) {
          frame.writeByte(HEX_DIGITS[(length >>> shift) & 0xf]);
        }
        frame.writeShort(CRLF);
        // buffer to buffer by address when both have one: no NIO views, unlike frame.writeBytes(data)
        data.getBytes(data.readerIndex(), frame, frame.writerIndex(), length);
        frame.writerIndex(frame.writerIndex() + length);
        frame.writeShort(CRLF);
      } finally {
        content.release();
      }
      ctx.write(frame, promise);
    }
  }
}
