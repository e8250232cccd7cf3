package dev.tollgate.core.concurrency;

import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.context.RequestStage;
import dev.tollgate.core.error.ErrorResponses;
import dev.tollgate.core.error.GatewayError;
import dev.tollgate.core.plan.Plan;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.ReferenceCountUtil;

/**
 * Pipeline stage that caps a tenant's requests in flight, and its open streams, at the plan's limits.
 * A slot is taken here and released exactly once when the request ends, however it ends (completion,
 * upstream failure, timeout, client disconnect), through the request's completion hook. Over the limit
 * → 429 {@code concurrency_limit_exceeded}. Sits after the quota stage; stateless (the counter is shared).
 */
@Sharable
public final class ConcurrencyLimitHandler extends RequestStage {

  private final InFlightCounter inFlight;

  public ConcurrencyLimitHandler(InFlightCounter inFlight) {
    this.inFlight = inFlight;
  }

  @Override
  protected void onRequest(ChannelHandlerContext ctx, FullHttpRequest request, RequestContext context) {
    Plan plan = context.plan();
    String tenantId = context.principal().tenantId();
    InFlightCounter.Slot slot = inFlight.tryAcquire(tenantId, plan.maxConcurrentRequests());
    if (slot == null) {
      refuse(ctx, request, "requests in flight", plan.maxConcurrentRequests(), plan);
      return;
    }
    InFlightCounter.Slot streamSlot = null;
    if (context.stream()) {
      streamSlot = inFlight.tryAcquire("s:" + tenantId, plan.maxConcurrentStreams());
      if (streamSlot == null) {
        slot.release();
        refuse(ctx, request, "open streams", plan.maxConcurrentStreams(), plan);
        return;
      }
    }
    // each slot is its own completion hook: freed when the request ends, however it ends
    context.onComplete(slot);
    if (streamSlot != null) {
      context.onComplete(streamSlot);
    }
    ctx.fireChannelRead(request);
  }

  private static void refuse(ChannelHandlerContext ctx, FullHttpRequest request, String what, int limit, Plan plan) {
    ReferenceCountUtil.release(request);
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set("retry-after", "1");
    ErrorResponses.send(ctx, GatewayError.CONCURRENCY_EXCEEDED, "Plan '" + plan.name() + "' allows " + limit
        + " " + what + " at once.", headers, false);
  }
}
