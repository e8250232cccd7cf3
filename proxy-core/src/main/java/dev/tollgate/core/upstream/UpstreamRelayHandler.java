package dev.tollgate.core.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last stage of an upstream connection: hands what the provider sends to the
 * {@link UpstreamExchange} currently bound to this connection. While the connection sits in the pool
 * (no exchange), anything it receives is unexpected: it is released and the connection closed, as it
 * is when the pool idle time passes. One per upstream channel, on the client's event loop.
 */
public final class UpstreamRelayHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(UpstreamRelayHandler.class);

  private UpstreamExchange exchange;

  void bind(UpstreamExchange exchange) {
    this.exchange = exchange;
  }

  void unbind() {
    this.exchange = null;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    UpstreamExchange current = exchange;
    if (current == null) {
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    current.onUpstreamMessage(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    UpstreamExchange current = exchange;
    if (current != null) {
      current.onUpstreamBatchEnd();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    UpstreamExchange current = exchange;
    exchange = null;
    if (current != null) {
      current.onUpstreamClosed();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    UpstreamExchange current = exchange;
    if (current == null) {
      log.debug("idle upstream connection failed: {}", cause.toString());
      ctx.close();
      return;
    }
    current.onUpstreamFailure(cause);
  }
}
