package dev.tollgate.core.upstream;

import dev.tollgate.core.route.ProviderEndpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * The HTTP/2 connections to one provider endpoint from one event loop. A request gets a stream on a
 * connection that has room for one more (below the provider's {@code SETTINGS_MAX_CONCURRENT_STREAMS},
 * no GOAWAY received); if none has, it waits for the connection being set up, and only if none is, a
 * new connection is opened. So requests share one connection until the provider's limit is reached.
 * Event-loop confined.
 */
final class UpstreamHttp2Pool {

  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final ProviderEndpoint endpoint;
  private final long connectTimeoutMillis;
  private final UpstreamChannelInitializer initializer;
  /** Connections that may still take streams (connecting or ready); drained or closed ones leave. */
  private final List<UpstreamHttp2Connection> connections = new ArrayList<>(2);

  UpstreamHttp2Pool(EventLoop loop, Bootstrap bootstrap, ProviderEndpoint endpoint, long connectTimeoutMillis,
      UpstreamChannelInitializer initializer) {
    this.loop = loop;
    this.bootstrap = bootstrap;
    this.endpoint = endpoint;
    this.connectTimeoutMillis = connectTimeoutMillis;
    this.initializer = initializer;
  }

  /** Completes {@code promise} with a new stream channel, now or once a connection is ready. */
  void acquire(Promise<Channel> promise) {
    UpstreamHttp2Connection connecting = null;
    for (UpstreamHttp2Connection connection : connections) {
      if (connection.canOpenStream()) {
        connection.openStream(promise, true);
        return;
      }
      if (connection.connecting()) {
        connecting = connection;
      }
    }
    if (connecting == null) {
      connecting = connect();
    }
    connecting.await(promise);
  }

  /** {@code connection} takes no new streams any more (GOAWAY, closed, failed). */
  void remove(UpstreamHttp2Connection connection) {
    connections.remove(connection);
  }

  /** Closes every connection (on the loop; a loop already shut down has closed them). */
  void close() {
    try {
      loop.execute(() -> List.copyOf(connections).forEach(UpstreamHttp2Connection::close));
    } catch (RejectedExecutionException e) {
      // the loop is gone and its channels with it
    }
  }

  private UpstreamHttp2Connection connect() {
    UpstreamHttp2Connection connection = new UpstreamHttp2Connection(this, endpoint, initializer,
        connectTimeoutMillis);
    connections.add(connection);
    ChannelFuture connected = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        initializer.initUpstreamHttp2Connection(ch, endpoint, connection);
      }
    }).connect();
    connected.addListener(f -> {
      if (f.isSuccess()) {
        connection.connected(connected.channel());
      } else {
        connection.connectFailed(f.cause());
      }
    });
    return connection;
  }
}
