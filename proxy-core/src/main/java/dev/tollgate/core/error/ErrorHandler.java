package dev.tollgate.core.error;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last client-side stage. An exception no stage handled becomes {@link GatewayError#INTERNAL}
 * (or, once the response has started, a closed connection, never a second response); a message no
 * stage consumed is released. Network noise (reset by peer) is logged at debug. Stateless.
 */
@Sharable
public final class ErrorHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(ErrorHandler.class);

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    boolean request = msg instanceof HttpRequest;
    ReferenceCountUtil.release(msg);
    if (request) {
      log.error("a request reached the error stage unhandled");
      ErrorResponses.send(ctx, GatewayError.INTERNAL);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException) {
      log.debug("client connection error: {}", cause.toString());
      ctx.close();
      return;
    }
    log.error("unhandled error on a client connection", cause);
    if (ctx.channel().isActive()) {
      ErrorResponses.send(ctx, GatewayError.INTERNAL, GatewayError.INTERNAL.message(), null, true);
    }
  }
}
