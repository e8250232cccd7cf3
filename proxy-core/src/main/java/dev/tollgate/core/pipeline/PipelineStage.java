package dev.tollgate.core.pipeline;

/**
 * Every stage of the gateway, in pipeline order. Client-side stages run on each client connection:
 *
 * <pre>
 * codec → keepAlive → metrics → guard → body → route → playground → sessionToken → auth → plan
 *   → rateLimit → quota → concurrency → realtime → cache → upstream → error
 * </pre>
 *
 * A realtime WebSocket upgrade switches the client connection to
 * {@code tls? → wsDecoder → wsEncoder → metrics → realtimeRelay → error} (the optional client stages).
 *
 * Upstream-side stages run on each pooled provider connection:
 *
 * <pre>
 * tls? → codec → usageTap → relay   (upstream ⇄ usage tap ⇄ relay back to the client)
 * </pre>
 *
 * A provider with {@code http2: true} is reached over shared HTTP/2 connections instead:
 *
 * <pre>
 * connection: http2Tls? → http2Flush → http2Codec → http2Multiplex → http2Idle → http2Connection
 * each stream (one per request): codec → coalesce → usageTap → relay
 * </pre>
 *
 * ({@code coalesce} joins the DATA frames one read brought into one piece; the HTTP/1.1 codec already
 * hands on one piece per read, so a connection has no such stage. The provider's silence is timed by
 * the exchange the relay serves, not by a stage of its own.)
 *
 * where a stream's {@code codec} turns HTTP/2 frames into the HTTP objects of the stages after it, so
 * those run unchanged on a stream.
 *
 * A realtime session's upstream connection runs
 * {@code realtimeUpstreamTls? → realtimeUpstreamCodec → realtimeHandshake → realtimeUpstreamRelay}
 * (Netty's handshaker then swaps the HTTP codec for WebSocket frame codecs).
 *
 * Order changes only here; {@link GatewayPipeline} adds handlers in this order under these names.
 */
public enum PipelineStage {
  TLS(Side.CLIENT, "tls", true),
  WEBSOCKET_DECODER(Side.CLIENT, "wsDecoder", true),
  WEBSOCKET_ENCODER(Side.CLIENT, "wsEncoder", true),
  CODEC(Side.CLIENT, "codec", false),
  KEEP_ALIVE(Side.CLIENT, "keepAlive", false),
  METRICS(Side.CLIENT, "metrics", false),
  GUARD(Side.CLIENT, "guard", false),
  BODY(Side.CLIENT, "body", false),
  ROUTE(Side.CLIENT, "route", false),
  PLAYGROUND(Side.CLIENT, "playground", false),
  SESSION_TOKEN(Side.CLIENT, "sessionToken", false),
  AUTH(Side.CLIENT, "auth", false),
  PLAN(Side.CLIENT, "plan", false),
  RATE_LIMIT(Side.CLIENT, "rateLimit", false),
  QUOTA(Side.CLIENT, "quota", false),
  CONCURRENCY(Side.CLIENT, "concurrency", false),
  REALTIME(Side.CLIENT, "realtime", false),
  CACHE(Side.CLIENT, "cache", false),
  UPSTREAM(Side.CLIENT, "upstream", false),
  REALTIME_RELAY(Side.CLIENT, "realtimeRelay", true),
  ERROR(Side.CLIENT, "error", false),

  UPSTREAM_TLS(Side.UPSTREAM, "upstreamTls", true),
  UPSTREAM_CODEC(Side.UPSTREAM, "upstreamCodec", false),
  UPSTREAM_COALESCE(Side.UPSTREAM, "upstreamCoalesce", true),
  USAGE_TAP(Side.UPSTREAM, "usageTap", false),
  RELAY(Side.UPSTREAM, "relay", false),

  UPSTREAM_HTTP2_TLS(Side.UPSTREAM_HTTP2, "upstreamHttp2Tls", true),
  UPSTREAM_HTTP2_FLUSH(Side.UPSTREAM_HTTP2, "upstreamHttp2Flush", false),
  UPSTREAM_HTTP2_CODEC(Side.UPSTREAM_HTTP2, "upstreamHttp2Codec", false),
  UPSTREAM_HTTP2_MULTIPLEX(Side.UPSTREAM_HTTP2, "upstreamHttp2Multiplex", false),
  UPSTREAM_HTTP2_IDLE(Side.UPSTREAM_HTTP2, "upstreamHttp2Idle", false),
  UPSTREAM_HTTP2_CONNECTION(Side.UPSTREAM_HTTP2, "upstreamHttp2Connection", false),

  REALTIME_UPSTREAM_TLS(Side.REALTIME_UPSTREAM, "realtimeUpstreamTls", true),
  REALTIME_UPSTREAM_CODEC(Side.REALTIME_UPSTREAM, "realtimeUpstreamCodec", false),
  REALTIME_HANDSHAKE(Side.REALTIME_UPSTREAM, "realtimeHandshake", false),
  REALTIME_UPSTREAM_RELAY(Side.REALTIME_UPSTREAM, "realtimeUpstreamRelay", false);

  /** Which connection a stage lives on. */
  public enum Side { CLIENT, UPSTREAM, UPSTREAM_HTTP2, REALTIME_UPSTREAM }

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

  /**
   * True for stages present only when configured (TLS), after a protocol switch (WebSocket), or on an
   * HTTP/2 stream alone (read coalescing).
   */
  public boolean optional() {
    return optional;
  }
}
