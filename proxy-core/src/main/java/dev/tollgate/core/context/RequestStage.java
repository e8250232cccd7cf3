package dev.tollgate.core.context;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;

/**
 * A client-side pipeline stage that acts on the aggregated request: any other message passes on
 * untouched, and the request arrives with the context the metrics stage opened for it (null only when
 * the pipeline was assembled without that stage). Runs on the client channel's event loop. A stage that
 * does not override an outbound method is skipped by Netty on writes, as with an inbound-only handler.
 */
public abstract class RequestStage extends ChannelDuplexHandler {

  @Override
  public final void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request)) {
      ctx.fireChannelRead(msg);
      return;
    }
    onRequest(ctx, request, ctx.channel().attr(ChannelAttrs.REQUEST_CONTEXT).get());
  }

  /** Handles {@code request}, which this stage now owns: pass it on, or release it and answer. */
  protected abstract void onRequest(ChannelHandlerContext ctx, FullHttpRequest request, RequestContext context);
}
