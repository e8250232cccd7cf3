package dev.tollgate.core.pipeline;

import dev.tollgate.core.auth.AuthHandler;
import dev.tollgate.core.cache.CacheHandler;
import dev.tollgate.core.concurrency.ConcurrencyLimitHandler;
import dev.tollgate.core.plan.PlanGateHandler;
import dev.tollgate.core.quota.QuotaHandler;
import dev.tollgate.core.ratelimit.RateLimitHandler;
import dev.tollgate.core.config.ConfigHolder;
import dev.tollgate.core.config.GatewayConfig;
import dev.tollgate.core.config.ProviderConfig;
import dev.tollgate.core.config.ServerConfig;
import dev.tollgate.core.error.ErrorHandler;
import dev.tollgate.core.guard.GatewayHttpCodec;
import dev.tollgate.core.guard.RequestBodyAggregator;
import dev.tollgate.core.guard.RequestGuardHandler;
import dev.tollgate.core.metrics.MetricsHandler;
import dev.tollgate.core.route.ProviderEndpoint;
import dev.tollgate.core.route.RouteHandler;
import dev.tollgate.core.upstream.UpstreamChannelInitializer;
import dev.tollgate.core.upstream.UpstreamConnector;
import dev.tollgate.core.upstream.UpstreamForwardHandler;
import dev.tollgate.core.upstream.UpstreamHttp2Stages;
import dev.tollgate.core.upstream.UpstreamHttpCodec;
import dev.tollgate.core.upstream.UpstreamReadCoalescer;
import dev.tollgate.core.upstream.UpstreamRelayHandler;
import dev.tollgate.core.usage.UsageTapHandler;
import dev.tollgate.core.realtime.PlaygroundPageHandler;
import dev.tollgate.core.realtime.RealtimeChannels;
import dev.tollgate.core.realtime.RealtimeHandler;
import dev.tollgate.core.realtime.SessionTokenHandler;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import java.util.List;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * The only place that assembles pipelines, in {@link PipelineStage} order: the client-side stages on
 * every accepted connection ({@link #initChannel}) and the upstream-side stages on every new provider
 * connection ({@link #initUpstreamChannel}). Stateless handlers are shared; stateful ones are created
 * per channel.
 */
public final class GatewayPipeline extends ChannelInitializer<SocketChannel>
    implements UpstreamChannelInitializer, RealtimeChannels {

  /** Responses larger than this are not cached (LLM answers are small; this bounds one entry). */
  static final int MAX_CACHED_RESPONSE_BYTES = 1 << 20;

  private final GatewayServices services;
  private final ConfigHolder config;
  private final UpstreamConnector connector;
  private final RouteHandler routeHandler = new RouteHandler();
  private final PlanGateHandler planGateHandler;
  private final RateLimitHandler rateLimitHandler;
  private final ConcurrencyLimitHandler concurrencyHandler;
  private final ErrorHandler errorHandler = new ErrorHandler();
  private final SessionTokenHandler sessionTokenHandler = new SessionTokenHandler();
  private final PlaygroundPageHandler playgroundHandler;
  private final Class<? extends SocketChannel> channelClass;
  private volatile SslContext upstreamHttp2Tls;

  /** Client stages that only speak HTTP: removed when a connection switches to WebSocket. */
  private static final List<PipelineStage> HTTP_ONLY_STAGES = List.of(PipelineStage.KEEP_ALIVE,
      PipelineStage.GUARD, PipelineStage.BODY, PipelineStage.ROUTE, PipelineStage.PLAYGROUND,
      PipelineStage.SESSION_TOKEN, PipelineStage.AUTH, PipelineStage.PLAN, PipelineStage.RATE_LIMIT,
      PipelineStage.QUOTA, PipelineStage.CONCURRENCY, PipelineStage.REALTIME, PipelineStage.CACHE,
      PipelineStage.UPSTREAM);

  /** @param channelClass the socket channel type of the chosen transport (epoll or NIO) */
  public GatewayPipeline(GatewayServices services, Class<? extends SocketChannel> channelClass) {
    this.services = Objects.requireNonNull(services, "services");
    this.config = services.config();
    this.channelClass = Objects.requireNonNull(channelClass, "channelClass");
    this.connector = new UpstreamConnector(channelClass, this, () -> config.current().upstream().poolIdleMillis());
    this.playgroundHandler = new PlaygroundPageHandler(services.realtime().playgroundHtml());
    this.planGateHandler = new PlanGateHandler(services.plans());
    this.rateLimitHandler = new RateLimitHandler(services.rateLimiter());
    this.concurrencyHandler = new ConcurrencyLimitHandler(services.inFlight());
  }

  public UpstreamConnector connector() {
    return connector;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ServerConfig server = config.current().server();
    ch.config().setAutoRead(true);
    ch.config().setWriteBufferWaterMark(
        new WriteBufferWaterMark(server.writeBufferLowBytes(), server.writeBufferHighBytes()));
    ChannelPipeline p = ch.pipeline();
    if (services.serverTls() != null) {
      p.addLast(PipelineStage.TLS.handlerName(), services.serverTls().newHandler(ch.alloc()));
    }
    p.addLast(PipelineStage.CODEC.handlerName(),
        new GatewayHttpCodec(server.maxInitialLineBytes(), server.maxHeaderBytes()));
    p.addLast(PipelineStage.KEEP_ALIVE.handlerName(), new HttpServerKeepAliveHandler());
    p.addLast(PipelineStage.METRICS.handlerName(),
        new MetricsHandler(config, services.metrics(), services.usageSink(), services.audit()));
    p.addLast(PipelineStage.GUARD.handlerName(), new RequestGuardHandler());
    p.addLast(PipelineStage.BODY.handlerName(), new RequestBodyAggregator(server.maxBodyBytes()));
    p.addLast(PipelineStage.ROUTE.handlerName(), routeHandler);
    p.addLast(PipelineStage.PLAYGROUND.handlerName(), playgroundHandler);
    p.addLast(PipelineStage.SESSION_TOKEN.handlerName(), sessionTokenHandler);
    p.addLast(PipelineStage.AUTH.handlerName(), new AuthHandler(services.keyVerifier(),
        services.jwtAuthenticator(), services.realtime().tokens(), services.tenants()));
    p.addLast(PipelineStage.PLAN.handlerName(), planGateHandler);
    p.addLast(PipelineStage.RATE_LIMIT.handlerName(), rateLimitHandler);
    p.addLast(PipelineStage.QUOTA.handlerName(), new QuotaHandler(services.ledgers()));
    p.addLast(PipelineStage.CONCURRENCY.handlerName(), concurrencyHandler);
    p.addLast(PipelineStage.REALTIME.handlerName(), new RealtimeHandler(services.realtime(),
        services.providerKeys(), services.rateLimiter(), services.ledgers(), this));
    p.addLast(PipelineStage.CACHE.handlerName(),
        new CacheHandler(services.responseCache(), services.metrics(), MAX_CACHED_RESPONSE_BYTES));
    p.addLast(PipelineStage.UPSTREAM.handlerName(), new UpstreamForwardHandler(connector, services.metrics(), services.providerKeys(),
        services.usageSink()));
    p.addLast(PipelineStage.ERROR.handlerName(), errorHandler);
  }

  @Override
  public void initUpstreamChannel(Channel ch, ProviderEndpoint endpoint) {
    ChannelPipeline p = ch.pipeline();
    if (endpoint.tls()) {
      p.addLast(PipelineStage.UPSTREAM_TLS.handlerName(), upstreamTlsHandler(services.upstreamTls(), ch, endpoint));
    }
    p.addLast(PipelineStage.UPSTREAM_CODEC.handlerName(), new UpstreamHttpCodec(8192, 65536));
    addUpstreamRelayStages(p, false); // the codec already hands on one piece per read
  }

  @Override
  public void initUpstreamHttp2Connection(Channel ch, ProviderEndpoint endpoint, ChannelHandler connection) {
    ChannelPipeline p = ch.pipeline();
    if (endpoint.tls()) {
      p.addLast(PipelineStage.UPSTREAM_HTTP2_TLS.handlerName(), upstreamTlsHandler(upstreamHttp2Tls(), ch, endpoint));
    }
    // the streams of every client request read in one turn of the loop go out in one write, not one each
    p.addLast(PipelineStage.UPSTREAM_HTTP2_FLUSH.handlerName(), UpstreamHttp2Stages.flushConsolidation());
    p.addLast(PipelineStage.UPSTREAM_HTTP2_CODEC.handlerName(), UpstreamHttp2Stages.frameCodec());
    p.addLast(PipelineStage.UPSTREAM_HTTP2_MULTIPLEX.handlerName(), UpstreamHttp2Stages.multiplexer());
    // after the multiplexer only connection-level frames pass: the connection closes itself once idle
    // with no stream open
    p.addLast(PipelineStage.UPSTREAM_HTTP2_IDLE.handlerName(), new IdleStateHandler(
        0, 0, config.current().upstream().poolIdleMillis(), TimeUnit.MILLISECONDS));
    p.addLast(PipelineStage.UPSTREAM_HTTP2_CONNECTION.handlerName(), connection);
  }

  @Override
  public void initUpstreamStream(Channel stream, ProviderEndpoint endpoint) {
    ChannelPipeline p = stream.pipeline();
    p.addLast(PipelineStage.UPSTREAM_CODEC.handlerName(), UpstreamHttp2Stages.streamCodec());
    addUpstreamRelayStages(p, true); // a message per DATA frame: joined per read
  }

  /**
   * The stages after the codec, the same on an HTTP/1.1 connection and on an HTTP/2 stream but for the
   * read coalescing an HTTP/2 stream needs. The provider's silence during an exchange is timed by the
   * exchange itself (its idle deadline, started again after each read), and an idle pooled connection
   * is closed by its pool.
   */
  private void addUpstreamRelayStages(ChannelPipeline p, boolean coalesce) {
    if (coalesce) {
      p.addLast(PipelineStage.UPSTREAM_COALESCE.handlerName(), new UpstreamReadCoalescer());
    }
    p.addLast(PipelineStage.USAGE_TAP.handlerName(), new UsageTapHandler());
    p.addLast(PipelineStage.RELAY.handlerName(), new UpstreamRelayHandler());
  }

  private static SslHandler upstreamTlsHandler(SslContext context, Channel ch, ProviderEndpoint endpoint) {
    SslHandler tls = context.newHandler(ch.alloc(), endpoint.host(), endpoint.port());
    SSLEngine engine = tls.engine();
    SSLParameters params = engine.getSSLParameters();
    params.setEndpointIdentificationAlgorithm("HTTPS"); // verify the provider's host name
    engine.setSSLParameters(params);
    return tls;
  }

  /** The upstream TLS context with ALPN offering only "h2", made on first use from the same trust. */
  private SslContext upstreamHttp2Tls() {
    SslContext made = upstreamHttp2Tls;
    if (made == null) {
      synchronized (this) {
        made = upstreamHttp2Tls;
        if (made == null) {
          made = UpstreamHttp2Stages.alpnH2(services.upstreamTls());
          upstreamHttp2Tls = made;
        }
      }
    }
    return made;
  }

  @Override
  public ChannelFuture connectRealtimeUpstream(Channel client, ProviderEndpoint endpoint, ChannelHandler handler) {
    GatewayConfig current = config.current();
    ProviderConfig provider = current.provider(endpoint.name());
    long connectMillis = provider != null && provider.connectTimeoutMillis() != null
        ? provider.connectTimeoutMillis() : current.upstream().connectTimeoutMillis();
    ServerConfig server = current.server();
    return new Bootstrap()
        .group(client.eventLoop()) // same loop as the client: the session is confined to it
        .channel(channelClass)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectMillis))
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
            new WriteBufferWaterMark(server.writeBufferLowBytes(), server.writeBufferHighBytes()))
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ChannelPipeline p = ch.pipeline();
            if (endpoint.tls()) {
              SslHandler tls = services.upstreamTls().newHandler(ch.alloc(), endpoint.host(), endpoint.port());
              SSLParameters params = tls.engine().getSSLParameters();
              params.setEndpointIdentificationAlgorithm("HTTPS");
              tls.engine().setSSLParameters(params);
              p.addLast(PipelineStage.REALTIME_UPSTREAM_TLS.handlerName(), tls);
            }
            p.addLast(PipelineStage.REALTIME_UPSTREAM_CODEC.handlerName(), new HttpClientCodec());
            p.addLast(PipelineStage.REALTIME_HANDSHAKE.handlerName(), new HttpObjectAggregator(64 * 1024));
            p.addLast(PipelineStage.REALTIME_UPSTREAM_RELAY.handlerName(), handler);
          }
        })
        .connect(endpoint.host(), endpoint.port());
  }

  @Override
  public ChannelFuture switchToWebSocket(Channel client, FullHttpResponse switching, int maxFrameBytes,
      ChannelHandler relay) {
    ChannelPipeline p = client.pipeline();
    ChannelPromise switched = client.newPromise();
    // 1. frame codecs go in front of the HTTP codec; the 101 still leaves through the HTTP encoder
    String codec = PipelineStage.CODEC.handlerName();
    p.addBefore(codec, PipelineStage.WEBSOCKET_DECODER.handlerName(), new WebSocket13FrameDecoder(
        WebSocketDecoderConfig.newBuilder().maxFramePayloadLength(maxFrameBytes).expectMaskedFrames(true)
            .allowExtensions(false).build()));
    p.addBefore(codec, PipelineStage.WEBSOCKET_ENCODER.handlerName(), new WebSocket13FrameEncoder(false));
    // 2. once the 101 is written: the HTTP stages go, the relay takes their place after metrics
    client.writeAndFlush(switching).addListener(f -> {
      if (!f.isSuccess()) {
        switched.tryFailure(f.cause());
        return;
      }
      p.addAfter(PipelineStage.METRICS.handlerName(), PipelineStage.REALTIME_RELAY.handlerName(), relay);
      for (PipelineStage stage : HTTP_ONLY_STAGES) {
        if (p.get(stage.handlerName()) != null) {
          p.remove(stage.handlerName());
        }
      }
      p.remove(codec);
      switched.trySuccess();
    });
    return switched;
  }
}
