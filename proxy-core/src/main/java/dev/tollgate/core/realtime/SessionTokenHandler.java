package dev.tollgate.core.realtime;

import dev.tollgate.core.auth.Principal;
import dev.tollgate.core.auth.TenantDirectory;
import dev.tollgate.core.context.ChannelAttrs;
import dev.tollgate.core.context.ParkedRequest;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.error.ErrorResponses;
import dev.tollgate.core.error.GatewayError;
import dev.tollgate.core.pipeline.PipelineStage;
import dev.tollgate.core.route.Operation;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.ReferenceCountUtil;
import java.util.Objects;
import java.util.Optional;

/**
 * Pipeline stage, just before {@code AuthHandler}, for the credentials browsers use on realtime routes.
 * 1. On a WebSocket upgrade without a header key, it lifts the credential out of
 * {@code Sec-WebSocket-Protocol} ({@code openai-insecure-api-key.<credential>} or
 * {@code tollgate-session.<token>}), as browsers cannot set headers.
 * 2. A gateway session token ({@link SessionTokens}, our own issuer) is verified here: invalid → 401;
 * valid → its tenant is loaded and the request continues at the plan gate, past {@code AuthHandler}
 * (tenants' JWT settings never see our tokens). Any other credential goes on to {@code AuthHandler}
 * unchanged. One per channel (it may park a request while the tenant is loaded).
 */
public final class SessionTokenHandler extends ChannelInboundHandlerAdapter {

  /** Subprotocol prefixes that carry a credential; OpenAI's browser form, and ours. */
  static final String OPENAI_KEY_PROTOCOL = "openai-insecure-api-key.";
  static final String SESSION_PROTOCOL = "tollgate-session.";
  private static final String BEARER = "Bearer ";

  private final SessionTokens tokens;
  private final TenantDirectory tenants;
  private final ParkedRequest parked = new ParkedRequest();

  public SessionTokenHandler(SessionTokens tokens, TenantDirectory tenants) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.tenants = Objects.requireNonNull(tenants, "tenants");
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request)) {
      ctx.fireChannelRead(msg);
      return;
    }
    RequestContext context = ctx.channel().attr(ChannelAttrs.REQUEST_CONTEXT).get();
    HttpHeaders headers = request.headers();
    String bearer = bearer(headers);
    if (bearer == null && headers.get("x-api-key") == null && context.route().operation() == Operation.REALTIME) {
      String lifted = subprotocolCredential(headers.get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL));
      if (lifted != null) {
        // AuthHandler reads the credential where SDKs put it; the upstream never sees client headers
        headers.set(HttpHeaderNames.AUTHORIZATION, BEARER + lifted);
        bearer = lifted;
      }
    }
    if (bearer == null || !SessionTokens.looksLikeSessionToken(bearer)) {
      ctx.fireChannelRead(request);
      return;
    }
    Optional<Principal> principal = tokens.verify(bearer);
    if (principal.isEmpty()) {
      ReferenceCountUtil.release(request);
      ErrorResponses.send(ctx, GatewayError.UNAUTHENTICATED, "Invalid or expired session token.");
      return;
    }
    context.principal(principal.get());
    parked.await(ctx, request, tenants.tenant(principal.get().tenantId()), (req, tenant) -> {
      if (tenant.isEmpty()) {
        context.principal(null);
        ReferenceCountUtil.release(req);
        ErrorResponses.send(ctx, GatewayError.UNAUTHENTICATED, "Invalid or expired session token.");
        return;
      }
      context.tenant(tenant.get());
      // authenticated: continue with the stage after auth (the plan gate)
      ChannelHandlerContext auth = ctx.pipeline().context(PipelineStage.AUTH.handlerName());
      (auth != null ? auth : ctx).fireChannelRead(req);
    });
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

  /** The credential in a {@code Sec-WebSocket-Protocol} list, or null. */
  static String subprotocolCredential(String protocols) {
    if (protocols == null) {
      return null;
    }
    for (String raw : protocols.split(",")) {
      String protocol = raw.trim();
      for (String prefix : new String[] {SESSION_PROTOCOL, OPENAI_KEY_PROTOCOL}) {
        if (protocol.startsWith(prefix) && protocol.length() > prefix.length()) {
          return protocol.substring(prefix.length());
        }
      }
    }
    return null;
  }

  private static String bearer(HttpHeaders headers) {
    String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      String value = authorization.substring(BEARER.length()).trim();
      return value.isEmpty() ? null : value;
    }
    return null;
  }
}
