package dev.tollgate.core.upstream;

import dev.tollgate.core.config.GatewayConfig;
import dev.tollgate.core.config.ProviderConfig;
import dev.tollgate.core.context.ParkedRequest;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.context.RequestStage;
import dev.tollgate.core.error.ErrorResponses;
import dev.tollgate.core.error.GatewayError;
import dev.tollgate.core.metrics.GatewayMetrics;
import dev.tollgate.core.usage.UsageSink;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.util.ReferenceCountUtil;

/**
 * The last request stage before the provider: turns the admitted request into the upstream request
 * (provider key injected, client credentials and hop-by-hop headers stripped) and runs it as an
 * {@link UpstreamExchange}. It also carries the client side of the relay: client writability changes
 * pace upstream reads, and a client that disconnects cancels the exchange. One per client channel.
 */
public final class UpstreamForwardHandler extends RequestStage {

  private final UpstreamConnector connector;
  private final GatewayMetrics metrics;
  private final ProviderKeyResolver keys;
  private final ParkedRequest parked = new ParkedRequest();
  // made once per channel rather than as a lambda per request
  private final ParkedRequest.Continuation<java.util.Optional<ProviderKey>> keyFound = this::forward;
  private UpstreamExchange exchange;

  private final UsageSink usageSink;

  public UpstreamForwardHandler(UpstreamConnector connector, GatewayMetrics metrics, ProviderKeyResolver keys,
      UsageSink usageSink) {
    this.connector = connector;
    this.usageSink = usageSink;
    this.metrics = metrics;
    this.keys = keys;
  }

  @Override
  protected void onRequest(ChannelHandlerContext ctx, FullHttpRequest client, RequestContext request) {
    if (request == null || request.route() == null || exchange != null) {
      ReferenceCountUtil.release(client);
      ErrorResponses.send(ctx, GatewayError.INTERNAL);
      return;
    }
    // 1. find the provider key (vault secret or operator default); 2. forward
    parked.await(ctx, client, request, keys.resolve(request), keyFound);
  }

  private void forward(ChannelHandlerContext ctx, FullHttpRequest client, RequestContext request,
      java.util.Optional<ProviderKey> key) {
    ProviderConfig provider = request.route().provider();
    if (key.isEmpty()) {
      ReferenceCountUtil.release(client);
      ErrorResponses.send(ctx, GatewayError.PROVIDER_KEY_MISSING, "No API key for provider '"
          + request.route().providerName() + "': store one with PUT /admin/tenants/{id}/secrets/"
          + request.route().providerName() + ", or configure the operator's key.");
      return;
    }
    FullHttpRequest upstreamRequest = UpstreamRequests.build(client, request, key.get());
    GatewayConfig config = request.config();
    if (!ctx.channel().isActive()) {
      upstreamRequest.release();
      return;
    }
    long connectTimeout = provider.connectTimeoutMillis() != null
        ? provider.connectTimeoutMillis() : config.upstream().connectTimeoutMillis();
    long responseTimeout = provider.responseTimeoutMillis() != null
        ? provider.responseTimeoutMillis() : config.upstream().responseTimeoutMillis();
    long idleTimeout = provider.idleTimeoutMillis() != null
        ? provider.idleTimeoutMillis() : config.upstream().idleTimeoutMillis();
    UpstreamExchange started = new UpstreamExchange(ctx, request, connector, metrics, usageSink, connectTimeout,
        responseTimeout, idleTimeout, () -> exchangeDone(request));
    exchange = started;
    started.start(upstreamRequest);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    UpstreamExchange current = exchange;
    if (current != null) {
      current.onClientWritabilityChanged();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    parked.release();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    parked.release();
    UpstreamExchange current = exchange;
    exchange = null;
    if (current != null) {
      current.onClientClosed();
    }
    ctx.fireChannelInactive();
  }

  private void exchangeDone(RequestContext request) {
    exchange = null;
  }
}
