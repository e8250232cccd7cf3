package dev.tollgate.core.context;

import dev.tollgate.core.error.ErrorResponses;
import dev.tollgate.core.error.GatewayError;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a stage wait for an answer from off the event loop (a store lookup, a quota lease) without
 * blocking: the request is parked here, client reads pause, and the stage continues on the channel's
 * own event loop when the answer arrives. A stage owns one instance and calls {@link #release()} from
 * {@code channelInactive} and {@code handlerRemoved}, so a request parked when the client goes away is
 * released exactly once.
 */
public final class ParkedRequest {

  private static final Logger log = LoggerFactory.getLogger(ParkedRequest.class);

  private FullHttpRequest parked;

  /**
   * What a stage does with the answer. Given everything it needs as arguments, a stage makes it once
   * (a field), where a lambda capturing the request's context would be a new object per request.
   */
  @FunctionalInterface
  public interface Continuation<T> {
    void resume(ChannelHandlerContext ctx, FullHttpRequest request, RequestContext context, T value);
  }

  /**
   * Runs {@code next} with {@code future}'s value: at once when it is already complete, otherwise on
   * {@code ctx}'s event loop once it completes. A failed future answers 500 and releases the request.
   */
  public <T> void await(ChannelHandlerContext ctx, FullHttpRequest request, RequestContext context,
      CompletableFuture<T> future, Continuation<T> next) {
    if (future.isDone() && !future.isCompletedExceptionally()) {
      next.resume(ctx, request, context, future.join());
      return;
    }
    parked = request; // released by release() if the channel closes first
    ctx.channel().config().setAutoRead(false);
    future.whenComplete((value, error) -> ctx.executor().execute(() -> {
      FullHttpRequest resumed = parked;
      parked = null;
      if (resumed == null) {
        return;
      }
      ctx.channel().config().setAutoRead(true);
      if (error != null) {
        log.warn("a lookup off the event loop failed: {}", error.toString());
        ReferenceCountUtil.release(resumed);
        ErrorResponses.send(ctx, GatewayError.INTERNAL);
        return;
      }
      next.resume(ctx, resumed, context, value);
    }));
  }

  /** Releases a parked request, if any (the channel closed or the handler was removed). */
  public void release() {
    FullHttpRequest request = parked;
    parked = null;
    if (request != null) {
      ReferenceCountUtil.release(request);
    }
  }
}
