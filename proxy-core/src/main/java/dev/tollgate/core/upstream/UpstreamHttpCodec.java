package dev.tollgate.core.upstream;

import dev.tollgate.core.guard.FlatHttpHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The codec stage of an HTTP/1.1 provider connection: Netty's request encoder, writing headers from
 * {@link FlatHttpHeaders} and noting each request's method, and our {@link UpstreamResponseDecoder}, which
 * reads the answers (its own head parser, de-chunked bodies, strict framing).
 */
public final class UpstreamHttpCodec extends CombinedChannelDuplexHandler<UpstreamResponseDecoder,
    UpstreamHttpCodec.RequestEncoder> {

  /** The methods of the requests sent and not yet answered, oldest first. */
  private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);

  public UpstreamHttpCodec(int maxInitialLineBytes, int maxHeaderBytes) {
    init(new UpstreamResponseDecoder(methods, maxInitialLineBytes, maxHeaderBytes), new RequestEncoder());
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
}
