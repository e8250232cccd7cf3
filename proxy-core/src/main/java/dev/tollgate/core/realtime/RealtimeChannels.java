package dev.tollgate.core.realtime;

import dev.tollgate.core.route.ProviderEndpoint;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.FullHttpResponse;

/**
 * The pipeline changes a realtime session needs, done by {@code GatewayPipeline} (the only place that
 * assembles pipelines): opening the upstream WebSocket connection and switching the client connection
 * from HTTP to WebSocket frames.
 */
public interface RealtimeChannels {

  /**
   * Connects to {@code endpoint} on {@code client}'s event loop with the realtime upstream stages
   * (TLS when the endpoint is https, HTTP codec for the handshake, then {@code handler}).
   */
  ChannelFuture connectRealtimeUpstream(Channel client, ProviderEndpoint endpoint, ChannelHandler handler);

  /**
   * Writes {@code switching} (101) on {@code client}, then replaces the HTTP stages with WebSocket frame
   * codecs and {@code relay}; metrics and error stay. The returned future completes once switched.
   */
  ChannelFuture switchToWebSocket(Channel client, FullHttpResponse switching, int maxFrameBytes, ChannelHandler relay);
}
