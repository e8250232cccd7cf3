package dev.tollgate.core.upstream;

import dev.tollgate.core.route.ProviderEndpoint;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/2 connection to a provider, carrying one stream per request in flight, and the last stage
 * of that connection's pipeline (after the multiplexer, so it sees only connection-level frames).
 *
 * <pre>
 *   connecting ──SETTINGS──▶ ready ──GOAWAY──▶ draining ──last stream ends──▶ closed
 *        │ TLS peer did not select "h2", no SETTINGS in time, connect failed ─────▶ closed
 * </pre>
 *
 * Requests that arrive while it connects wait here; at the provider's first SETTINGS as many get a
 * stream as {@code SETTINGS_MAX_CONCURRENT_STREAMS} allows and the rest go back to the
 * {@link UpstreamHttp2Pool}, which opens another connection for them. Closing a stream's channel
 * before its response ended resets that stream only (RST_STREAM); the connection stays. A closed or
 * going-away connection ends its streams' channels, which their exchanges see as the upstream
 * closing. Event-loop confined.
 */
final class UpstreamHttp2Connection extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(UpstreamHttp2Connection.class);

  private enum State { CONNECTING, READY, DRAINING, CLOSED }

  private final UpstreamHttp2Pool pool;
  private final ProviderEndpoint endpoint;
  private final long connectTimeoutMillis;
  private final ChannelInitializer<Channel> streamInitializer;
  /** Requests waiting for the connection to become ready; each promise is completed exactly once. */
  private final Queue<Promise<Channel>> waiters = new ArrayDeque<>();

  private State state = State.CONNECTING;
  private Channel channel;
  private Http2StreamChannelBootstrap streams;
  private ScheduledFuture<?> settingsTimer;
  /** The provider's SETTINGS_MAX_CONCURRENT_STREAMS (unbounded until it says otherwise). */
  private long maxStreams = Long.MAX_VALUE;
  /** Stream channels opened on this connection and not closed yet. */
  private int openStreams;

  UpstreamHttp2Connection(UpstreamHttp2Pool pool, ProviderEndpoint endpoint, UpstreamChannelInitializer initializer,
      long connectTimeoutMillis) {
    this.pool = pool;
    this.endpoint = endpoint;
    this.connectTimeoutMillis = connectTimeoutMillis;
    this.streamInitializer = new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel stream) {
        initializer.initUpstreamStream(stream, endpoint);
      }
    };
  }

  boolean connecting() {
    return state == State.CONNECTING;
  }

  boolean canOpenStream() {
    return state == State.READY && openStreams < maxStreams && channel.isActive();
  }

  /** Parks {@code promise} until the connection is ready (or has failed). */
  void await(Promise<Channel> promise) {
    waiters.add(promise);
  }

  /**
   * Opens a stream for {@code promise}. {@code reused}: the connection was ready before this request
   * came, so a stream that ends before its response head may be retried once (as a stale pooled
   * HTTP/1.1 connection is).
   */
  void openStream(Promise<Channel> promise, boolean reused) {
    openStreams++;
    streams.open().addListener((Future<Http2StreamChannel> opened) -> {
      if (!opened.isSuccess()) {
        openStreams--;
        promise.tryFailure(opened.cause());
        return;
      }
      Http2StreamChannel stream = opened.getNow();
      if (reused) {
        stream.attr(UpstreamConnector.REUSED).set(Boolean.TRUE);
      }
      stream.closeFuture().addListener(f -> streamClosed());
      if (!promise.trySuccess(stream)) {
        stream.close();
      }
    });
  }

  /** The TCP connection is up (the TLS handshake, if any, and the provider's SETTINGS are still to come). */
  void connected(Channel ch) {
    channel = ch;
    streams = new Http2StreamChannelBootstrap(ch).handler(streamInitializer);
    settingsTimer = ch.eventLoop().schedule(this::onSettingsTimeout, connectTimeoutMillis, TimeUnit.MILLISECONDS);
    SslHandler tls = ch.pipeline().get(SslHandler.class);
    if (tls != null) {
      tls.handshakeFuture().addListener(f -> {
        if (f.isSuccess()) {
          checkAlpn(tls.applicationProtocol());
        } else {
          fail(f.cause());
        }
      });
    }
  }

  void connectFailed(Throwable cause) {
    fail(cause);
  }

  void close() {
    if (channel != null) {
      channel.close();
    } else {
      fail(new IOException("gateway shutting down"));
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof Http2SettingsFrame settings) {
        onSettings(ctx, settings);
      } else if (msg instanceof Http2GoAwayFrame goAway) {
        onGoAway(goAway);
      }
    } finally {
      ReferenceCountUtil.release(msg); // connection-level frames end here (PING and SETTINGS acks are Netty's)
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      if (openStreams == 0 && state == State.READY) {
        log.debug("closing idle HTTP/2 connection to {}", endpoint.name());
        ctx.close();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    fail(new IOException("HTTP/2 connection to " + endpoint.name() + " closed before it was ready"));
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("HTTP/2 connection to {} failed: {}", endpoint.name(), cause.toString());
    ctx.close();
  }

  private void onSettings(ChannelHandlerContext ctx, Http2SettingsFrame frame) {
    Long max = frame.settings().maxConcurrentStreams();
    if (max != null) {
      maxStreams = max;
    }
    if (state != State.CONNECTING) {
      return;
    }
    // 1. ready: cancel the timer and widen the connection window so many streams can flow at once
    state = State.READY;
    cancelSettingsTimer();
    ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(
        UpstreamHttp2Stages.CONNECTION_WINDOW_BYTES - Http2CodecUtil.DEFAULT_WINDOW_SIZE));
    // 2. give the waiting requests their streams; those beyond the provider's limit go back to the pool
    if (maxStreams == 0) {
      fail(new IOException("provider " + endpoint.name() + " allows no HTTP/2 streams"));
      channel.close();
      return;
    }
    Promise<Channel> waiter;
    while ((waiter = waiters.poll()) != null) {
      if (canOpenStream()) {
        openStream(waiter, false);
      } else {
        pool.acquire(waiter);
      }
    }
  }

  private void onGoAway(Http2GoAwayFrame goAway) {
    log.debug("provider {} sent GOAWAY (error {}, last stream {}), {} streams open",
        endpoint.name(), goAway.errorCode(), goAway.lastStreamId(), openStreams);
    if (state == State.CLOSED) {
      return;
    }
    // streams the provider did not take are closed by Netty; the others may finish
    state = State.DRAINING;
    pool.remove(this);
    failWaiters(new IOException("provider " + endpoint.name() + " sent GOAWAY"));
    if (openStreams == 0) {
      channel.close();
    }
  }

  private void checkAlpn(String protocol) {
    if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
      return;
    }
    log.warn("provider {} ({}:{}) did not select HTTP/2 by TLS ALPN (selected: {}); its requests fail with 502"
        + " until it offers h2 or its http2 setting is false", endpoint.name(), endpoint.host(), endpoint.port(),
        protocol == null ? "nothing" : protocol);
    fail(new IOException("provider " + endpoint.name() + " did not select h2 by ALPN"));
    channel.close();
  }

  private void onSettingsTimeout() {
    if (state != State.CONNECTING) {
      return;
    }
    log.debug("no HTTP/2 SETTINGS from provider {} in {} ms", endpoint.name(), connectTimeoutMillis);
    fail(new ConnectTimeoutException("no HTTP/2 SETTINGS in " + connectTimeoutMillis + " ms"));
    channel.close();
  }

  private void streamClosed() {
    openStreams--;
    if (state == State.DRAINING && openStreams == 0) {
      channel.close();
    }
  }

  /** The connection takes no more streams: the waiting requests fail with {@code cause}. */
  private void fail(Throwable cause) {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    cancelSettingsTimer();
    pool.remove(this);
    failWaiters(cause);
  }

  private void failWaiters(Throwable cause) {
    Promise<Channel> waiter;
    while ((waiter = waiters.poll()) != null) {
      waiter.tryFailure(cause);
    }
  }

  private void cancelSettingsTimer() {
    ScheduledFuture<?> timer = settingsTimer;
    settingsTimer = null;
    if (timer != null) {
      timer.cancel(false);
    }
  }
}
