package dev.tollgate.core.upstream;

import dev.tollgate.core.route.ProviderEndpoint;
import io.netty.channel.Channel;

/** Installs the upstream-side stages on a new provider connection (implemented by {@code GatewayPipeline}). */
@FunctionalInterface
public interface UpstreamChannelInitializer {

  void initUpstreamChannel(Channel channel, ProviderEndpoint endpoint);
}
