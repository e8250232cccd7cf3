package dev.tollgate.core.upstream;

import dev.tollgate.core.route.ProviderEndpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongSupplier;

/**
 * Pooled keep-alive connections to providers: one {@link UpstreamHttp1Pool} per event loop and
 * provider endpoint, so an upstream connection always runs on the event loop of the client it serves
 * and the pool is never contended. Idle pooled connections keep reading so that an upstream close is
 * noticed (and the connection dropped) before it is handed out again.
 *
 * <p>For a provider with {@code http2: true} the channel handed out is instead a new stream on a shared
 * HTTP/2 connection ({@link UpstreamHttp2Pool}, also one per event loop and endpoint); its pipeline
 * has the same relay stages, and {@link #release} closes it (a stream serves one request).
 */
public final class UpstreamConnector implements AutoCloseable {

  /** Set on an HTTP/2 stream that is not its connection's first (an HTTP/1.1 connection keeps it in its pool entry). */
  static final AttributeKey<Boolean> REUSED = AttributeKey.valueOf("tollgate.upstreamReused");

  private final Class<? extends SocketChannel> channelClass;
  private final UpstreamChannelInitializer initializer;
  private final LongSupplier poolIdleMillis;
  private final Queue<UpstreamHttp1Pool> allPools = new ConcurrentLinkedQueue<>();
  private final Queue<UpstreamHttp2Pool> allHttp2Pools = new ConcurrentLinkedQueue<>();
  private final FastThreadLocal<Map<PoolKey, UpstreamHttp2Pool>> http2Pools = new FastThreadLocal<>() {
    @Override
    protected Map<PoolKey, UpstreamHttp2Pool> initialValue() {
      return new HashMap<>();
    }
  };
  private final FastThreadLocal<Map<PoolKey, UpstreamHttp1Pool>> pools = new FastThreadLocal<>() {
    @Override
    protected Map<PoolKey, UpstreamHttp1Pool> initialValue() {
      return new HashMap<>();
    }
  };

  /** @param poolIdleMillis how long an idle HTTP/1.1 connection stays pooled, read when a pool sweeps */
  public UpstreamConnector(Class<? extends SocketChannel> channelClass, UpstreamChannelInitializer initializer,
      LongSupplier poolIdleMillis) {
    this.channelClass = channelClass;
    this.initializer = initializer;
    this.poolIdleMillis = poolIdleMillis;
  }

  /**
   * A connection to {@code endpoint} on {@code loop}: a pooled one if available, else a new one; for an
   * HTTP/2 endpoint, a new stream on a shared connection. Must be called on {@code loop}.
   */
  public Future<Channel> acquire(EventLoop loop, ProviderEndpoint endpoint, long connectTimeoutMillis) {
    PoolKey key = new PoolKey(loop, endpoint, connectTimeoutMillis);
    if (endpoint.http2()) {
      Promise<Channel> stream = loop.newPromise();
      http2Pools.get().computeIfAbsent(key, this::newHttp2Pool).acquire(stream);
      return stream;
    }
    UpstreamHttp1Pool pool = pools.get().get(key);
    if (pool == null) {
      pool = newPool(key);
      pools.get().put(key, pool);
    }
    return pool.acquire();
  }

  /** Gives a connection whose exchange ended cleanly back to its pool; an HTTP/2 stream is closed. */
  public void release(Channel channel) {
    UpstreamHttp1Pool.Pooled pooled = channel.attr(UpstreamHttp1Pool.POOLED).get();
    if (pooled == null) {
      channel.close();
      return;
    }
    pooled.pool.release(pooled);
  }

  /** True when {@code channel} served an earlier exchange (it came from the pool, not a new connect). */
  public static boolean reused(Channel channel) {
    UpstreamHttp1Pool.Pooled pooled = channel.attr(UpstreamHttp1Pool.POOLED).get();
    return pooled != null ? pooled.reused : channel.attr(REUSED).get() != null;
  }

  @Override
  public void close() {
    UpstreamHttp1Pool pool;
    while ((pool = allPools.poll()) != null) {
      pool.close();
    }
    UpstreamHttp2Pool http2;
    while ((http2 = allHttp2Pools.poll()) != null) {
      http2.close();
    }
  }

  private UpstreamHttp2Pool newHttp2Pool(PoolKey key) {
    UpstreamHttp2Pool pool = new UpstreamHttp2Pool(key.loop(), bootstrap(key), key.endpoint(),
        key.connectTimeoutMillis(), initializer);
    allHttp2Pools.add(pool);
    return pool;
  }

  private Bootstrap bootstrap(PoolKey key) {
    return new Bootstrap()
        .group(key.loop())
        .channel(channelClass)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.SO_KEEPALIVE, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, key.connectTimeoutMillis()))
        .remoteAddress(key.endpoint().host(), key.endpoint().port());
  }

  private UpstreamHttp1Pool newPool(PoolKey key) {
    UpstreamHttp1Pool pool = new UpstreamHttp1Pool(key.loop(), bootstrap(key), key.endpoint(), initializer,
        poolIdleMillis);
    allPools.add(pool);
    return pool;
  }

  /** Looked up on every request: equals and hashCode written out, the endpoint compared by identity first. */
  private record PoolKey(EventLoop loop, ProviderEndpoint endpoint, long connectTimeoutMillis) {
    @Override
    public boolean equals(Object o) {
      return o instanceof PoolKey k && loop == k.loop && connectTimeoutMillis == k.connectTimeoutMillis
          && (endpoint == k.endpoint || endpoint.equals(k.endpoint));
    }

    @Override
    public int hashCode() {
      return (endpoint.host().hashCode() * 31 + endpoint.port()) * 31 + Long.hashCode(connectTimeoutMillis);
    }
  }
}
