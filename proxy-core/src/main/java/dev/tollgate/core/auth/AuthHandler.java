package dev.tollgate.core.auth;

import dev.tollgate.core.context.ParkedRequest;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.context.RequestStage;
import dev.tollgate.core.error.ErrorResponses;
import dev.tollgate.core.error.GatewayError;
import dev.tollgate.core.guard.HeaderNameCache;
import dev.tollgate.core.store.TenantRecord;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.ReferenceCountUtil;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Pipeline stage that establishes who is calling. The credential arrives where each SDK puts its
 * provider key ({@code Authorization: Bearer} or {@code x-api-key}): a Tollgate {@code tg_} key goes to
 * {@link ApiKeyVerifier}, a gateway session token to {@link GatewayTokenVerifier}, any other compact JWS
 * to {@link JwtAuthenticator} (verified off the event loop); a
 * missing, unknown, revoked or rejected credential gets the same 401 in the route's dialect and the
 * request goes no further. The key's tenant is looked up too
 * (its plan and settings), so later stages read both from the request context. On cache hits the
 * request continues synchronously; on a miss it is parked until the store answers, then resumed on
 * this channel's event loop. Sits after {@code RouteHandler}; one per channel.
 */
public final class AuthHandler extends RequestStage {

  private static final String BEARER = "Bearer ";

  private static final CompletableFuture<Optional<Principal>> REJECTED =
      CompletableFuture.completedFuture(Optional.empty());

  private final ApiKeyVerifier verifier;
  private final JwtAuthenticator jwts;
  private final GatewayTokenVerifier gatewayTokens;
  private final TenantDirectory tenants;
  private final ParkedRequest parked = new ParkedRequest();
  private final LastPresentedKey lastKey = new LastPresentedKey();
  // the steps after each lookup, made once per channel rather than as a lambda per request
  private final ParkedRequest.Continuation<Optional<Principal>> principalFound = this::onPrincipal;
  private final ParkedRequest.Continuation<Optional<TenantRecord>> tenantFound = this::onTenant;

  public AuthHandler(ApiKeyVerifier verifier, JwtAuthenticator jwts, GatewayTokenVerifier gatewayTokens,
      TenantDirectory tenants) {
    this.verifier = Objects.requireNonNull(verifier, "verifier");
    this.jwts = Objects.requireNonNull(jwts, "jwts");
    this.gatewayTokens = Objects.requireNonNull(gatewayTokens, "gatewayTokens");
    this.tenants = Objects.requireNonNull(tenants, "tenants");
  }

  @Override
  protected void onRequest(ChannelHandlerContext ctx, FullHttpRequest request, RequestContext context) {
    CompletableFuture<Optional<Principal>> verdict = verdictOnPresented(request.headers());
    if (verdict == null) {
      reject(ctx, request, "Missing API key: send your Tollgate key as 'Authorization: Bearer tg_...' or 'x-api-key'.");
      return;
    }
    // 1. verify the key or token; 2. load its tenant; 3. continue
    parked.await(ctx, request, context, verdict, principalFound);
  }

  /**
   * Routes the credential by its shape: a {@code tg_} key to the key cache, a JWS the gateway issued
   * (browser session token) to its own verifier, any other JWS to its tenant's issuer; anything else is
   * rejected without a lookup.
   */
  CompletableFuture<Optional<Principal>> principalFor(String presented) {
    return switch (CompactJws.classify(presented)) {
      case API_KEY -> verifier.verify(presented);
      case JWT -> gatewayTokens.issuer().equals(CompactJws.unverifiedIssuer(presented))
          ? CompletableFuture.completedFuture(gatewayTokens.verify(presented))
          : jwts.authenticate(presented);
      case UNKNOWN -> REJECTED;
    };
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
      reject(ctx, request, "Invalid API key or token.");
      return;
    }
    context.principal(principal.get());
    parked.await(ctx, request, context, tenants.tenant(principal.get().tenantId()), tenantFound);
  }

  private void onTenant(ChannelHandlerContext ctx, FullHttpRequest request, RequestContext context,
      Optional<TenantRecord> tenant) {
    if (tenant.isEmpty()) {
      context.principal(null);
      reject(ctx, request, "Invalid API key or token.");
      return;
    }
    context.tenant(tenant.get());
    ctx.fireChannelRead(request);
  }

  private static void reject(ChannelHandlerContext ctx, FullHttpRequest request, String message) {
    ReferenceCountUtil.release(request);
    ErrorResponses.send(ctx, GatewayError.UNAUTHENTICATED, message);
  }

  /**
   * The verdict on the credential in {@code Authorization: Bearer ...} or else {@code x-api-key}
   * (surrounding spaces ignored), or null when neither has one. A {@code tg_} key is verified where it
   * stands in the header's value: it is not cut out of it as a new string, and the connection's last key
   * is not hashed again.
   */
  private CompletableFuture<Optional<Principal>> verdictOnPresented(HttpHeaders headers) {
    String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      CompletableFuture<Optional<Principal>> verdict = verdictOn(authorization, BEARER.length());
      if (verdict != null) {
        return verdict;
      }
    }
    String apiKey = headers.get(HeaderNameCache.X_API_KEY);
    return apiKey == null ? null : verdictOn(apiKey, 0);
  }

  /** The verdict on the credential in {@code value} from {@code start}, surrounding spaces ignored; null if blank. */
  private CompletableFuture<Optional<Principal>> verdictOn(String value, int start) {
    int end = value.length();
    while (start < end && value.charAt(start) <= ' ') { // as String.trim
      start++;
    }
    while (end > start && value.charAt(end - 1) <= ' ') {
      end--;
    }
    if (start == end) {
      return null;
    }
    return value.startsWith(ApiKeys.PREFIX, start)
        ? verifier.verify(value, start, end, lastKey)
        : principalFor(value.substring(start, end));
  }
}
