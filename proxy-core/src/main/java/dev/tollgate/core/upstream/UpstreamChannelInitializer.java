package dev.tollgate.core.upstream;

import dev.tollgate.core.route.ProviderEndpoint;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;

/**
 * Installs the upstream-side stages on a new provider connection or HTTP/2 stream (implemented by
 * {@code GatewayPipeline}). Called on the connection's event loop.
 */
public interface UpstreamChannelInitializer {

  /** An HTTP/1.1 connection: one request at a time. */
  void initUpstreamChannel(Channel channel, ProviderEndpoint endpoint);

  /** An HTTP/2 connection that carries many streams; {@code connection} is its last stage. */
  void initUpstreamHttp2Connection(Channel channel, ProviderEndpoint endpoint, ChannelHandler connection);

  /** One request's stream on an HTTP/2 connection: the same relay stages as an HTTP/1.1 connection. */
  void initUpstreamStream(Channel stream, ProviderEndpoint endpoint);
}
