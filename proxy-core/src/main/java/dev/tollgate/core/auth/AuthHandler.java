package dev.tollgate.core.auth;

import dev.tollgate.core.context.ChannelAttrs;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.error.ErrorResponses;
import dev.tollgate.core.error.GatewayError;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.ReferenceCountUtil;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pipeline stage that establishes who is calling. The Tollgate key arrives where each SDK puts its
 * provider key ({@code Authorization: Bearer} or {@code x-api-key}); a missing, unknown or revoked key
 * gets 401 in the route's dialect and the request goes no further. On a cache hit the request
 * continues synchronously; on a miss it is parked (one at a time per connection) until the store
 * answers, then resumed on this channel's event loop. Sits after {@code RouteHandler}; one per channel.
 */
public final class AuthHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(AuthHandler.class);
  private static final String BEARER = "Bearer ";

  private final ApiKeyVerifier verifier;
  /** A request waiting for the store; released here if the channel closes first. */
  private FullHttpRequest parked;

  public AuthHandler(ApiKeyVerifier verifier) {
    this.verifier = verifier;
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
    CompletableFuture<Optional<Principal>> verdict = verifier.verify(presented);
    Optional<Principal> now = verdict.getNow(null);
    if (now != null) {
      decide(ctx, request, context, now);
      return;
    }
    // 1. park the request; 2. resume on our event loop when the store answers
    parked = request;
    ctx.channel().config().setAutoRead(false);
    verdict.whenComplete((principal, error) -> ctx.executor().execute(() -> {
      FullHttpRequest resumed = parked;
      parked = null;
      if (resumed == null) {
        return; // the channel closed meanwhile; handlerRemoved released it
      }
      ctx.channel().config().setAutoRead(true);
      if (error != null) {
        log.warn("{} key lookup failed: {}", context.requestId(), error.toString());
        ReferenceCountUtil.release(resumed);
        ErrorResponses.send(ctx, GatewayError.INTERNAL);
        return;
      }
      decide(ctx, resumed, context, principal);
    }));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseParked();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseParked();
  }

  private void decide(ChannelHandlerContext ctx, FullHttpRequest request, RequestContext context,
      Optional<Principal> principal) {
    if (principal.isEmpty()) {
      reject(ctx, request, "Invalid API key.");
      return;
    }
    context.principal(principal.get());
    ctx.fireChannelRead(request);
  }

  private static void reject(ChannelHandlerContext ctx, FullHttpRequest request, String message) {
    ReferenceCountUtil.release(request);
    ErrorResponses.send(ctx, GatewayError.UNAUTHENTICATED, message);
  }

  private void releaseParked() {
    FullHttpRequest request = parked;
    parked = null;
    if (request != null) {
      ReferenceCountUtil.release(request);
    }
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
