package dev.tollgate.core.ratelimit;

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
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pipeline stage that holds each API key and each tenant to its plan's request rate (GCRA). Over the
 * rate → 429 with {@code Retry-After} and {@code x-ratelimit-limit/remaining/reset}; the per-key check
 * comes first so one noisy key cannot spend the tenant's burst. Sits after the plan gate; stateless
 * (the limiter is shared and lock-free).
 */
@Sharable
public final class RateLimitHandler extends RequestStage {

  private static final int MAX_TENANT_KEYS = 10_000;

  private final GcraRateLimiter limiter;
  private final ConcurrentHashMap<String, Limits> limitsByPlan = new ConcurrentHashMap<>();
  /** tenantId → its limiter key, so the key is not concatenated per request; cleared when full. */
  private final ConcurrentHashMap<String, String> tenantKeys = new ConcurrentHashMap<>();

  public RateLimitHandler(GcraRateLimiter limiter) {
    this.limiter = limiter;
  }

  @Override
  protected void onRequest(ChannelHandlerContext ctx, FullHttpRequest request, RequestContext context) {
    Plan plan = context.plan();
    Limits limits = limitsFor(plan);
    long now = limiter.nowNanos(); // both decisions at one instant, one clock read
    RateLimitDecision perKey = limiter.refusal(context.principal().keyId(), limits.perKey, now);
    if (perKey != null) {
      refuse(ctx, request, perKey, "this API key");
      return;
    }
    RateLimitDecision perTenant = limiter.refusal(tenantKey(context.principal().tenantId()),
        limits.perTenant, now);
    if (perTenant != null) {
      refuse(ctx, request, perTenant, "tenant '" + context.principal().tenantId() + "'");
      return;
    }
    ctx.fireChannelRead(request);
  }

  private static void refuse(ChannelHandlerContext ctx, FullHttpRequest request, RateLimitDecision decision,
      String who) {
    ReferenceCountUtil.release(request);
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set("retry-after", Long.toString(decision.retryAfterSeconds()));
    headers.set("x-ratelimit-limit", Integer.toString(decision.limit()));
    headers.set("x-ratelimit-remaining", Integer.toString(decision.remaining()));
    headers.set("x-ratelimit-reset", Long.toString(decision.resetSeconds()));
    ErrorResponses.send(ctx, GatewayError.RATE_LIMITED, "Rate limit exceeded for " + who + ": retry in "
        + decision.retryAfterSeconds() + " s.", headers, false);
  }

  private Limits limitsFor(Plan plan) {
    Limits cached = limitsByPlan.get(plan.name());
    if (cached != null && cached.plan == plan) {
      return cached;
    }
    Limits fresh = new Limits(plan, new RateLimit(plan.requestsPerSecondPerKey(), plan.burst()),
        new RateLimit(plan.requestsPerSecond(), plan.burst()));
    limitsByPlan.put(plan.name(), fresh);
    return fresh;
  }

  private String tenantKey(String tenantId) {
    if (tenantKeys.size() >= MAX_TENANT_KEYS) {
      tenantKeys.clear(); // bounded memory: the keys are rebuilt on demand
    }
    return tenantKeys.computeIfAbsent(tenantId, id -> "t:" + id);
  }

  private record Limits(Plan plan, RateLimit perKey, RateLimit perTenant) {
  }
}
