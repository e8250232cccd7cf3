package dev.tollgate.core.upstream;

import dev.tollgate.core.guard.FlatHttpHeaders;
import dev.tollgate.core.guard.WholeMessages;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
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
   * body (all this gateway sends upstream: bodies are aggregated) is written as one buffer: request line,
   * headers and body ({@link WholeMessages}).
   */
  final class RequestEncoder extends HttpRequestEncoder implements WholeMessages.HeadEncoder<FullHttpRequest> {

    /** Whether Netty's encoder is in the middle of a message (a head sent without its last content). */
    private boolean inMessage;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
      if (!inMessage && msg instanceof FullHttpRequest request && WholeMessages.fits(request)) {
        HttpMethod method = request.method();
        ByteBuf whole = WholeMessages.encode(ctx.alloc(), request, this);
        methods.add(method);
        ctx.write(whole, promise);
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

    @Override
    public void encodeHead(ByteBuf out, FullHttpRequest request) throws Exception {
      encodeInitialLine(out, request);
      encodeHeaders(request.headers(), out);
    }

    @Override
    protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
      if (!FlatHttpHeaders.encodeIfFlat(headers, buf)) {
        super.encodeHeaders(headers, buf);
      }
    }
  }
}
