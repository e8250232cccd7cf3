package dev.tollgate.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.route.ProviderEndpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-loop HTTP/1.1 pool against a real loopback server that counts and can close its connections. */
class UpstreamHttp1PoolTest {

  private static final ProviderEndpoint ENDPOINT =
      new ProviderEndpoint("openai", false, "127.0.0.1", 0, "", "127.0.0.1", null, false);

  private EventLoopGroup group;
  private EventLoop loop;
  private Channel server;
  /** The server side of each accepted connection, in accept order. */
  private final Queue<Channel> accepted = new LinkedBlockingQueue<>();
  private final AtomicLong poolIdleMillis = new AtomicLong(60_000);
  private final Queue<Channel> initialised = new LinkedBlockingQueue<>();
  private UpstreamHttp1Pool pool;

  @BeforeEach
  void start() throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    loop = group.next();
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            accepted.add(ch);
          }
        }).bind("127.0.0.1", 0).sync().channel();
    Bootstrap bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
        .remoteAddress((InetSocketAddress) server.localAddress());
    pool = new UpstreamHttp1Pool(loop, bootstrap, ENDPOINT, new UpstreamChannelInitializer() {
      @Override
      public void initUpstreamChannel(Channel channel, ProviderEndpoint endpoint) {
        initialised.add(channel);
      }

      @Override
      public void initUpstreamHttp2Connection(Channel channel, ProviderEndpoint endpoint, ChannelHandler connection) {
        throw new AssertionError("HTTP/1.1 only");
      }

      @Override
      public void initUpstreamStream(Channel stream, ProviderEndpoint endpoint) {
        throw new AssertionError("HTTP/1.1 only");
      }
    }, poolIdleMillis::get);
  }

  @AfterEach
  void stop() throws Exception {
    server.close().sync();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  @Test
  void dialsOnceAndHandsTheReleasedConnectionOutAgainMarkedReused() throws Exception {
    Channel first = acquire();
    assertThat(initialised).containsExactly(first);
    assertThat(UpstreamConnector.reused(first)).isFalse();
    release(first);

    Channel second = acquire();

    assertThat(second).isSameAs(first);
    assertThat(UpstreamConnector.reused(second)).isTrue();
    assertThat(accepted).hasSize(1);
  }

  @Test
  void handsOutTheConnectionReleasedLast() throws Exception {
    Channel a = acquire();
    Channel b = acquire();
    release(a);
    release(b);

    assertThat(acquire()).isSameAs(b);
    assertThat(acquire()).isSameAs(a);
  }

  @Test
  void skipsAPooledConnectionTheProviderClosedAndDialsAnew() throws Exception {
    Channel first = acquire();
    release(first);
    accepted.poll().close().sync();
    first.closeFuture().await(5, TimeUnit.SECONDS);

    Channel second = acquire();

    assertThat(second).isNotSameAs(first);
    assertThat(second.isActive()).isTrue();
    assertThat(UpstreamConnector.reused(second)).isFalse();
  }

  @Test
  void closesAConnectionPooledLongerThanThePoolIdleTime() throws Exception {
    poolIdleMillis.set(50);
    Channel pooled = acquire();
    Channel busy = acquire();
    release(pooled);

    assertThat(pooled.closeFuture().await(5, TimeUnit.SECONDS)).as("closed by the pool's sweep").isTrue();
    assertThat(busy.isActive()).as("a connection in an exchange is not the pool's to close").isTrue();
    Channel next = acquire();
    assertThat(next).isNotSameAs(pooled).isNotSameAs(busy);
  }

  @Test
  void closingThePoolClosesItsIdleConnectionsAndAnyReleasedLater() throws Exception {
    Channel idle = acquire();
    Channel busy = acquire();
    release(idle);

    pool.close();
    assertThat(idle.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(busy.isActive()).isTrue();
    release(busy);

    assertThat(busy.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aFailedDialFailsTheAcquisition() throws Exception {
    server.close().sync();

    io.netty.util.concurrent.Future<Channel> dial = onLoop(() -> pool.acquire());

    assertThat(dial.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(dial.isSuccess()).isFalse();
  }

  private Channel acquire() throws Exception {
    return onLoop(() -> pool.acquire()).get(5, TimeUnit.SECONDS);
  }

  private void release(Channel channel) throws Exception {
    onLoop(() -> {
      pool.release(channel.attr(UpstreamHttp1Pool.POOLED).get());
      return null;
    });
  }

  private <T> T onLoop(Callable<T> call) throws Exception {
    return loop.submit(call).get(5, TimeUnit.SECONDS);
  }
}
