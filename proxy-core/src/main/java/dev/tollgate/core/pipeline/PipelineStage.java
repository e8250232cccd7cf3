package dev.tollgate.core.pipeline;

/**
 * Every stage of the gateway, in pipeline order. Client-side stages run on each client connection:
 *
 * <pre>
 * codec → keepAlive → metrics → guard → body → route → auth → plan → rateLimit → quota
 *   → concurrency → cache → upstream → error
 * </pre>
 *
 * Upstream-side stages run on each pooled provider connection:
 *
 * <pre>
 * tls? → codec → idle → usageTap → relay   (upstream ⇄ usage tap ⇄ relay back to the client)
 * </pre>
 *
 * Order changes only here; {@link GatewayPipeline} adds handlers in this order under these names.
 */
public enum PipelineStage {
  TLS(Side.CLIENT, "tls", true),
  CODEC(Side.CLIENT, "codec", false),
  KEEP_ALIVE(Side.CLIENT, "keepAlive", false),
  METRICS(Side.CLIENT, "metrics", false),
  GUARD(Side.CLIENT, "guard", false),
  BODY(Side.CLIENT, "body", false),
  ROUTE(Side.CLIENT, "route", false),
  AUTH(Side.CLIENT, "auth", false),
  PLAN(Side.CLIENT, "plan", false),
  RATE_LIMIT(Side.CLIENT, "rateLimit", false),
  QUOTA(Side.CLIENT, "quota", false),
  CONCURRENCY(Side.CLIENT, "concurrency", false),
  CACHE(Side.CLIENT, "cache", false),
  UPSTREAM(Side.CLIENT, "upstream", false),
  ERROR(Side.CLIENT, "error", false),

  UPSTREAM_TLS(Side.UPSTREAM, "upstreamTls", true),
  UPSTREAM_CODEC(Side.UPSTREAM, "upstreamCodec", false),
  UPSTREAM_IDLE(Side.UPSTREAM, "upstreamIdle", false),
  USAGE_TAP(Side.UPSTREAM, "usageTap", false),
  RELAY(Side.UPSTREAM, "relay", false);

  /** Which connection a stage lives on. */
  public enum Side { CLIENT, UPSTREAM }

  private final Side side;
  private final String handlerName;
  private final boolean optional;

  PipelineStage(Side side, String handlerName, boolean optional) {
    this.side = side;
    this.handlerName = handlerName;
    this.optional = optional;
  }

  public Side side() {
    return side;
  }

  /** The name the stage's handler is registered under in the channel pipeline. */
  public String handlerName() {
    return handlerName;
  }

  /** True for stages present only when configured (TLS). */
  public boolean optional() {
    return optional;
  }
}
