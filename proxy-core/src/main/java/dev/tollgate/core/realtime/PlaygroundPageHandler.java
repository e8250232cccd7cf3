package dev.tollgate.core.realtime;

import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.context.RequestStage;
import dev.tollgate.core.error.ErrorResponses;
import dev.tollgate.core.error.GatewayError;
import dev.tollgate.core.route.Operation;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;

/**
 * Pipeline stage that serves the static {@code /playground} page, before auth (the page holds no
 * secret; it asks the user for a key and calls {@code /session}). Everything else passes on to
 * {@link SessionTokenHandler}. Sits right after the route stage; stateless.
 */
@Sharable
public final class PlaygroundPageHandler extends RequestStage {

  private final byte[] page;

  /** @param page the HTML page, or null to answer 404 */
  public PlaygroundPageHandler(byte[] page) {
    this.page = page;
  }

  @Override
  protected void onRequest(ChannelHandlerContext ctx, FullHttpRequest request, RequestContext context) {
    if (context.route().operation() != Operation.PLAYGROUND) {
      ctx.fireChannelRead(request);
      return;
    }
    ReferenceCountUtil.release(request);
    if (page == null) {
      ErrorResponses.send(ctx, GatewayError.NOT_FOUND, "The playground is not installed on this gateway.");
      return;
    }
    if (!request.method().equals(HttpMethod.GET)) {
      ErrorResponses.send(ctx, GatewayError.METHOD_NOT_ALLOWED, "Use GET /playground.");
      return;
    }
    JsonResponses.send(ctx, HttpResponseStatus.OK, "text/html; charset=utf-8", page);
  }
}
