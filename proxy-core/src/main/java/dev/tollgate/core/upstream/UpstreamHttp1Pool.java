package dev.tollgate.core.upstream;

import dev.tollgate.core.clock.CoarseClock;
import dev.tollgate.core.route.ProviderEndpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The keep-alive HTTP/1.1 connections to one provider endpoint from one event loop. A request takes
 * the connection released last (the warmest), skipping any the provider has closed; with none left it
 * dials a new one. A connection back from a clean exchange goes on top. One timer per pool, not per
 * connection or request, closes the connections pooled longer than {@code poolIdleMillis}. Event-loop
 * confined: no lock, and no future or listener to check a pooled connection's health.
 */
final class UpstreamHttp1Pool {

  /** The pool connection of an HTTP/1.1 upstream channel (absent on an HTTP/2 stream). */
  static final AttributeKey<Pooled> POOLED = AttributeKey.valueOf("tollgate.upstreamPooled");

  /** One upstream connection of a pool. */
  static final class Pooled {
    final Channel channel;
    final UpstreamHttp1Pool pool;
    /** When it last went back to the pool ({@link CoarseClock#nanoTime()}, so System.nanoTime's scale). */
    long idleSince;
    /** It served an exchange before the current one. */
    boolean reused;

    Pooled(Channel channel, UpstreamHttp1Pool pool) {
      this.channel = channel;
      this.pool = pool;
    }
  }

  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final LongSupplier poolIdleMillis;
  /** Idle connections, the longest pooled first: released ones join at the end, requests take the last. */
  private final ArrayDeque<Pooled> idle = new ArrayDeque<>();
  private Future<?> sweep;
  private boolean closed;

  UpstreamHttp1Pool(EventLoop loop, Bootstrap bootstrap, ProviderEndpoint endpoint,
      UpstreamChannelInitializer initializer, LongSupplier poolIdleMillis) {
    this.loop = loop;
    this.poolIdleMillis = poolIdleMillis;
    this.bootstrap = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.attr(POOLED).set(new Pooled(ch, UpstreamHttp1Pool.this));
        initializer.initUpstreamChannel(ch, endpoint);
      }
    });
  }

  /** A pooled connection if one is open, else a new one. On the loop. */
  Future<Channel> acquire() {
    Pooled pooled;
    while ((pooled = idle.pollLast()) != null) {
      if (pooled.channel.isActive()) {
        return loop.newSucceededFuture(pooled.channel);
      }
      pooled.channel.close();
    }
    Promise<Channel> dialed = loop.newPromise();
    ChannelFuture connected = bootstrap.connect();
    connected.addListener(f -> {
      if (f.isSuccess()) {
        dialed.trySuccess(connected.channel());
      } else {
        dialed.tryFailure(f.cause());
      }
    });
    return dialed;
  }

  /** Takes back a connection whose exchange ended cleanly; a closed one (or a closed pool) drops it. On the loop. */
  void release(Pooled pooled) {
    Channel ch = pooled.channel;
    if (closed || !ch.isActive()) {
      ch.close();
      return;
    }
    pooled.reused = true;
    pooled.idleSince = CoarseClock.nanoTime(); // a tick early at most: an idle connection may close that much sooner
    // AUTO_READ stays on (no epoll_ctl per request): a pooled connection reads while idle, so an upstream
    // close (or stray bytes) is seen at once and the channel dropped; only a relay paused by a slow
    // client turns it off, and a paused channel is never released
    if (!ch.config().isAutoRead()) {
      ch.config().setAutoRead(true);
    }
    idle.addLast(pooled);
    if (sweep == null) {
      sweep = loop.schedule(this::sweep, poolIdleMillis.getAsLong(), TimeUnit.MILLISECONDS);
    }
  }

  /** Closes the connections pooled for {@code poolIdleMillis} or longer; comes back for the next one due. */
  private void sweep() {
    sweep = null;
    long idleNanos = TimeUnit.MILLISECONDS.toNanos(poolIdleMillis.getAsLong());
    long now = System.nanoTime();
    Pooled oldest;
    while ((oldest = idle.peekFirst()) != null && now - oldest.idleSince >= idleNanos) {
      idle.pollFirst().channel.close();
    }
    if (oldest != null && !closed) {
      sweep = loop.schedule(this::sweep, oldest.idleSince + idleNanos - now, TimeUnit.NANOSECONDS);
    }
  }

  /** Closes every idle connection; those in an exchange close when it ends. */
  void close() {
    try {
      loop.execute(() -> {
        closed = true;
        if (sweep != null) {
          sweep.cancel(false);
          sweep = null;
        }
        Pooled pooled;
        while ((pooled = idle.poll()) != null) {
          pooled.channel.close();
        }
      });
    } catch (RejectedExecutionException e) {
      // the loop is gone and its channels with it
    }
  }
}
