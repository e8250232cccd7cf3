package dev.tollgate.core.auth;

import dev.tollgate.core.context.ChannelAttrs;
import dev.tollgate.core.context.ParkedRequest;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.error.ErrorResponses;
import dev.tollgate.core.error.GatewayError;
import dev.tollgate.core.store.TenantRecord;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.ReferenceCountUtil;
import java.util.Optional;

/**
 * Pipeline stage that establishes who is calling. The Tollgate key arrives where each SDK puts its
 * provider key ({@code Authorization: Bearer} or {@code x-api-key}); a missing, unknown or revoked key
 * gets 401 in the route's dialect and the request goes no further. The key's tenant is looked up too
 * (its plan and settings), so later stages read both from the request context. On cache hits the
 * request continues synchronously; on a miss it is parked until the store answers, then resumed on
 * this channel's event loop. Sits after {@code RouteHandler}; one per channel.
 */
public final class AuthHandler extends ChannelInboundHandlerAdapter {

  private static final String BEARER = "Bearer ";

  private final ApiKeyVerifier verifier;
  private final TenantDirectory tenants;
  private final ParkedRequest parked = new ParkedRequest();

  public AuthHandler(ApiKeyVerifier verifier, TenantDirectory tenants) {
    this.verifier = verifier;
    this.tenants = tenants;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request)) {
      ctx.fireChannelRead(msg);
      return;
    }
    RequestContext context = ctx.channel().attr(ChannelAttrs.REQUEST_CONTEXT).get();
    String presented = presentedKey(request.headers());
    if (presented == null) {
      reject(ctx, request, "Missing API key: send your Tollgate key as 'Authorization: Bearer tg_...' or 'x-api-key'.");
      return;
    }
    // 1. verify the key; 2. load its tenant; 3. continue
    parked.await(ctx, request, verifier.verify(presented),
        (req, principal) -> onPrincipal(ctx, req, context, principal));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    parked.release();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    parked.release();
  }

  private void onPrincipal(ChannelHandlerContext ctx, FullHttpRequest request, RequestContext context,
      Optional<Principal> principal) {
    if (principal.isEmpty()) {
      reject(ctx, request, "Invalid API key.");
      return;
    }
    context.principal(principal.get());
    parked.await(ctx, request, tenants.tenant(principal.get().tenantId()),
        (req, tenant) -> onTenant(ctx, req, context, tenant));
  }

  private void onTenant(ChannelHandlerContext ctx, FullHttpRequest request, RequestContext context,
      Optional<TenantRecord> tenant) {
    if (tenant.isEmpty()) {
      context.principal(null);
      reject(ctx, request, "Invalid API key.");
      return;
    }
    context.tenant(tenant.get());
    ctx.fireChannelRead(request);
  }

  private static void reject(ChannelHandlerContext ctx, FullHttpRequest request, String message) {
    ReferenceCountUtil.release(request);
    ErrorResponses.send(ctx, GatewayError.UNAUTHENTICATED, message);
  }

  /** The key from {@code Authorization: Bearer ...} or {@code x-api-key}, or null. */
  static String presentedKey(HttpHeaders headers) {
    String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      String key = authorization.substring(BEARER.length()).trim();
      if (!key.isEmpty()) {
        return key;
      }
    }
    String apiKey = headers.get("x-api-key");
    if (apiKey != null && !apiKey.isBlank()) {
      return apiKey.trim();
    }
    return null;
  }
}
