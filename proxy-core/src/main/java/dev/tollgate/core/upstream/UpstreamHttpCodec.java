package dev.tollgate.core.upstream;

import dev.tollgate.core.guard.FlatHttpHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The codec stage of an HTTP/1.1 provider connection: Netty's request encoder, writing headers from
 * {@link FlatHttpHeaders}, a whole request as one buffer, and noting each request's method, and our {@link UpstreamResponseDecoder}, which
 * reads the answers (its own head parser, de-chunked bodies, strict framing).
 */
public final class UpstreamHttpCodec extends CombinedChannelDuplexHandler<UpstreamResponseDecoder,
    UpstreamHttpCodec.RequestEncoder> {

  /** The methods of the requests sent and not yet answered, oldest first. */
  private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);

  public UpstreamHttpCodec(int maxInitialLineBytes, int maxHeaderBytes) {
    init(new UpstreamResponseDecoder(methods, maxInitialLineBytes, maxHeaderBytes), new RequestEncoder());
  }

  /**
   * Netty's request encoder, noting each request's method for the decoder. A whole request with a small
   * body (all this gateway sends upstream: bodies are aggregated) is written here as one buffer: request
   * line, headers and body. Netty's encoder would copy the body into its head buffer through a new NIO
   * view of each buffer, and pass the buffer through a list and its state machine on the way out.
   */
  final class RequestEncoder extends HttpRequestEncoder {

    /** A larger body goes on as its own buffer (Netty's path), uncopied. */
    private static final int MAX_COPIED_BODY_BYTES = 8 * 1024;
    private static final int CRLF = ('\r' << 8) | '\n';
    /** Room for a request line and headers, grown by the buffer if a head is larger. */
    private static final int HEAD_ROOM_BYTES = 1024;

    /** Whether Netty's encoder is in the middle of a message (a head sent without its last content). */
    private boolean inMessage;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
      if (!inMessage && msg instanceof FullHttpRequest request
          && request.content().readableBytes() <= MAX_COPIED_BODY_BYTES && request.trailingHeaders().isEmpty()
          && !HttpUtil.isTransferEncodingChunked(request)) {
        writeWhole(ctx, request, promise);
        return;
      }
      if (msg instanceof HttpRequest request) {
        methods.add(request.method());
        inMessage = !(msg instanceof LastHttpContent);
      } else if (msg instanceof LastHttpContent) {
        inMessage = false;
      }
      super.write(ctx, msg, promise);
    }

    /** Writes {@code request} as one buffer; releases it. */
    private void writeWhole(ChannelHandlerContext ctx, FullHttpRequest request, ChannelPromise promise)
        throws Exception {
      ByteBuf out;
      try {
        ByteBuf body = request.content();
        int length = body.readableBytes();
        out = ctx.alloc().buffer(HEAD_ROOM_BYTES + length);
        try {
          encodeInitialLine(out, request);
          encodeHeaders(request.headers(), out);
          out.writeShort(CRLF);
          // buffer to buffer by address when both have one: no NIO views, unlike writeBytes(ByteBuf)
          out.ensureWritable(length);
          body.getBytes(body.readerIndex(), out, out.writerIndex(), length);
          out.writerIndex(out.writerIndex() + length);
        } catch (Exception | Error e) {
          out.release();
          throw e;
        }
      } finally {
        request.release();
      }
      methods.add(request.method());
      ctx.write(out, promise);
    }

    @Override
    protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
      if (!FlatHttpHeaders.encodeIfFlat(headers, buf)) {
        super.encodeHeaders(headers, buf);
      }
    }
  }
}
