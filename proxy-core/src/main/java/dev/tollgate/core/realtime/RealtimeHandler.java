package dev.tollgate.core.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.auth.Principal;
import dev.tollgate.core.config.RealtimeConfig;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.context.RequestStage;
import dev.tollgate.core.error.ErrorResponses;
import dev.tollgate.core.error.GatewayError;
import dev.tollgate.core.plan.Plan;
import dev.tollgate.core.quota.QuotaHandler;
import dev.tollgate.core.ratelimit.GcraRateLimiter;
import dev.tollgate.core.ratelimit.RateLimit;
import dev.tollgate.core.ratelimit.RateLimitDecision;
import dev.tollgate.core.route.Operation;
import dev.tollgate.core.route.ProviderEndpoint;
import dev.tollgate.core.route.RouteHandler;
import dev.tollgate.core.route.RouteMatch;
import dev.tollgate.core.upstream.ProviderKey;
import dev.tollgate.core.upstream.ProviderKeyResolver;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pipeline stage for realtime voice, after the concurrency stage (so every call here is authenticated
 * and admitted by plan, rate limit, quota and concurrency like any request) and before the cache:
 * it answers {@code POST /session}, {@code POST /turn-credentials} and {@code POST /telemetry/ice}
 * itself, and turns a {@code GET /v1/realtime} WebSocket upgrade into a {@link RealtimeSession} relay.
 * Anything else passes on to the cache and the upstream forwarder. Provider calls complete off the
 * event loop and the answer is written back on it. One per channel.
 */
public final class RealtimeHandler extends RequestStage {

  private static final Logger log = LoggerFactory.getLogger(RealtimeHandler.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Opaque user ids TURN accepts: no ':' or whitespace, bounded, not all digits (PROTOCOLS.md §1). */
  private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9_.@-]{1,64}");
  static final String IDEMPOTENCY_KEY = "idempotency-key";

  private final RealtimeServices services;
  private final ProviderKeyResolver providerKeys;
  private final GcraRateLimiter rateLimiter;
  private final QuotaHandler.Ledgers ledgers;
  private final RealtimeChannels channels;

  public RealtimeHandler(RealtimeServices services, ProviderKeyResolver providerKeys, GcraRateLimiter rateLimiter,
      QuotaHandler.Ledgers ledgers, RealtimeChannels channels) {
    this.services = Objects.requireNonNull(services, "services");
    this.providerKeys = Objects.requireNonNull(providerKeys, "providerKeys");
    this.rateLimiter = Objects.requireNonNull(rateLimiter, "rateLimiter");
    this.ledgers = Objects.requireNonNull(ledgers, "ledgers");
    this.channels = Objects.requireNonNull(channels, "channels");
  }

  @Override
  protected void onRequest(ChannelHandlerContext ctx, FullHttpRequest request, RequestContext context) {
    Operation operation = context.route().operation();
    if (operation == Operation.REALTIME && RouteHandler.isWebSocketUpgrade(request)) {
      upgrade(ctx, request, context);
      return;
    }
    if (!operation.local()) {
      ctx.fireChannelRead(request);
      return;
    }
    // the local endpoints read what they need from the request, then release it at once
    JsonNode body;
    String idempotencyKey = request.headers().get(IDEMPOTENCY_KEY);
    boolean post = request.method().equals(HttpMethod.POST);
    try {
      body = readBody(request);
    } catch (IOException e) {
      ErrorResponses.send(ctx, GatewayError.BAD_REQUEST, "The request body is not a JSON object.");
      return;
    } finally {
      ReferenceCountUtil.release(request);
    }
    if (!post) {
      ErrorResponses.send(ctx, GatewayError.METHOD_NOT_ALLOWED, "Use POST " + context.route().clientPath() + ".");
      return;
    }
    switch (operation) {
      case REALTIME_SESSION -> session(ctx, context, body, idempotencyKey);
      case TURN_CREDENTIALS -> turnCredentials(ctx, context, body);
      case ICE_TELEMETRY -> iceTelemetry(ctx, body);
      default -> ErrorResponses.send(ctx, GatewayError.NOT_FOUND);
    }
  }

  // ---- POST /session ------------------------------------------------------------------------

  /**
   * 1. replay an idempotent repeat; 2. resolve the tenant's provider key; 3. mint the provider's
   * ephemeral secret; 4. add our session id and token (and TURN when asked); 5. answer.
   */
  private void session(ChannelHandlerContext ctx, RequestContext context, JsonNode body, String idempotencyKey) {
    Principal principal = context.principal();
    String userId = userId(context, body);
    if (userId == null) {
      ErrorResponses.send(ctx, GatewayError.BAD_REQUEST,
          "user: expected 1..64 characters of [A-Za-z0-9_.@-], not all digits.");
      return;
    }
    boolean turnAlways = "always".equals(body.path("turn").asText("auto"));
    if (turnAlways && !context.plan().features().turn()) {
      refuseTurnByPlan(ctx, context.plan());
      return;
    }
    if (turnAlways && services.turn() == null) {
      services.metrics().turnCredentials("unavailable");
      ErrorResponses.send(ctx, GatewayError.NOT_FOUND, "TURN is not configured on this gateway.");
      return;
    }
    CompletableFuture<String> answer;
    if (idempotencyKey != null && !idempotencyKey.isBlank()) {
      String cacheKey = principal.tenantId() + '\n' + principal.projectId() + '\n' + principal.keyId() + '\n'
          + idempotencyKey;
      boolean[] created = {false};
      answer = services.idempotentSessions().get(cacheKey, k -> {
        created[0] = true;
        return newSession(context, body, userId, turnAlways);
      });
      if (created[0]) {
        // a failed session is not replayed: the next repeat tries again
        answer.whenComplete((ok, error) -> {
          if (error != null) {
            services.idempotentSessions().asMap().remove(cacheKey, answer);
          }
        });
      }
    } else {
      answer = newSession(context, body, userId, turnAlways);
    }
    answer.whenComplete((json, error) -> ctx.executor().execute(() -> {
      if (error != null) {
        sendFailure(ctx, context, error);
        return;
      }
      JsonResponses.json(ctx, json);
    }));
  }

  private CompletableFuture<String> newSession(RequestContext context, JsonNode body, String userId,
      boolean turnAlways) {
    RealtimeConfig config = context.config().realtime();
    String model = body.path("model").isTextual() ? body.path("model").asText()
        : body.path("session").path("model").asText(context.requestModel() == null ? "gpt-realtime"
            : context.requestModel());
    return providerKeys.resolve(context).thenCompose(key -> {
      if (key.isEmpty()) {
        throw new SessionFailure(GatewayError.PROVIDER_KEY_MISSING,
            "No provider key is configured for provider '" + context.route().providerName() + "'.");
      }
      ObjectNode request = JSON.createObjectNode();
      if (body.path("expires_after").isObject()) {
        request.set("expires_after", body.get("expires_after"));
      }
      ObjectNode session = body.path("session").isObject() ? ((ObjectNode) body.get("session")).deepCopy()
          : JSON.createObjectNode();
      if (!session.has("type")) {
        session.put("type", "realtime");
      }
      session.put("model", model);
      request.set("session", session);
      return services.sessions().post(providerUri(context.route()), authHeaders(context.route(), key.get()),
          request.toString(), config.sessionTimeoutMillis());
    }).thenCompose(answer -> {
      if (answer.status() / 100 != 2) {
        log.info("{} provider refused a realtime session: HTTP {}", context.requestId(), answer.status());
        throw new SessionFailure(GatewayError.UPSTREAM_UNAVAILABLE,
            "The provider refused to create a realtime session (HTTP " + answer.status() + ").");
      }
      ObjectNode result = sessionResult(context, answer.body(), userId, model, config.sessionTokenTtlSeconds());
      if (!turnAlways) {
        return CompletableFuture.completedFuture(result.toString());
      }
      return services.turn().credentialsJson(context.principal().tenantId(), userId).thenApply(turn -> {
        services.metrics().turnCredentials("issued");
        try {
          result.set("turn", JSON.readTree(turn));
        } catch (IOException e) {
          throw new CompletionException(e);
        }
        return result.toString();
      });
    });
  }

  private ObjectNode sessionResult(RequestContext context, String providerBody, String userId, String model,
      long tokenTtlSeconds) {
    JsonNode provider;
    try {
      provider = JSON.readTree(providerBody);
    } catch (IOException e) {
      throw new SessionFailure(GatewayError.UPSTREAM_UNAVAILABLE, "The provider's realtime session answer is not JSON.");
    }
    // GA: {value, expires_at, session}; beta: {client_secret: {value, expires_at}, ...}
    JsonNode secret = provider.path("client_secret").isObject() ? provider.path("client_secret") : provider;
    if (!secret.path("value").isTextual()) {
      throw new SessionFailure(GatewayError.UPSTREAM_UNAVAILABLE, "The provider's realtime session answer has no secret.");
    }
    String sessionId = "rs_" + HexFormat.of().formatHex(randomBytes(12));
    ObjectNode result = JSON.createObjectNode();
    result.put("session_id", sessionId);
    result.put("client_secret", secret.path("value").asText());
    result.set("expires_at", secret.path("expires_at"));
    result.put("model", model);
    result.put("session_token", services.tokens().mint(context.principal(), userId, sessionId, tokenTtlSeconds));
    result.put("session_token_expires_at", System.currentTimeMillis() / 1000 + tokenTtlSeconds);
    return result;
  }

  // ---- POST /turn-credentials ---------------------------------------------------------------

  private void turnCredentials(ChannelHandlerContext ctx, RequestContext context, JsonNode body) {
    Plan plan = context.plan();
    if (!plan.features().turn()) {
      refuseTurnByPlan(ctx, plan);
      return;
    }
    if (services.turn() == null) {
      services.metrics().turnCredentials("unavailable");
      ErrorResponses.send(ctx, GatewayError.NOT_FOUND, "TURN is not configured on this gateway.");
      return;
    }
    String userId = userId(context, body);
    if (userId == null) {
      ErrorResponses.send(ctx, GatewayError.BAD_REQUEST,
          "user: expected 1..64 characters of [A-Za-z0-9_.@-], not all digits.");
      return;
    }
    String tenantId = context.principal().tenantId();
    RealtimeConfig config = context.config().realtime();
    RateLimitDecision decision = rateLimiter.tryAcquire("turn\n" + tenantId + "\n" + userId,
        new RateLimit(config.turnRequestsPerSecond(), config.turnBurst()));
    if (!decision.allowed()) {
      services.metrics().turnCredentials("rate_limited");
      HttpHeaders headers = new DefaultHttpHeaders();
      headers.set("retry-after", Long.toString(decision.retryAfterSeconds()));
      ErrorResponses.send(ctx, GatewayError.RATE_LIMITED, "TURN credentials are limited to "
          + config.turnBurst() + " at once per user; retry in " + decision.retryAfterSeconds() + " s.", headers, false);
      return;
    }
    services.turn().credentialsJson(tenantId, userId).whenComplete((json, error) -> ctx.executor().execute(() -> {
      if (error != null) {
        services.metrics().turnCredentials("failed");
        log.warn("{} minting TURN credentials failed: {}", context.requestId(), unwrap(error).toString());
        ErrorResponses.send(ctx, GatewayError.UPSTREAM_UNAVAILABLE, "TURN credentials are unavailable right now.");
        return;
      }
      services.metrics().turnCredentials("issued");
      JsonResponses.json(ctx, json);
    }));
  }

  private void refuseTurnByPlan(ChannelHandlerContext ctx, Plan plan) {
    services.metrics().turnCredentials("plan_refused");
    ErrorResponses.send(ctx, GatewayError.PLAN_FORBIDS_ROUTE,
        "Plan '" + plan.name() + "' does not include TURN relay credentials.");
  }

  // ---- POST /telemetry/ice ------------------------------------------------------------------

  private void iceTelemetry(ChannelHandlerContext ctx, JsonNode body) {
    JsonNode needed = body.path("needed_turn");
    if (!needed.isBoolean()) {
      ErrorResponses.send(ctx, GatewayError.BAD_REQUEST, "needed_turn: expected true or false.");
      return;
    }
    String candidate = body.path("candidate_type").asText("unknown");
    if (!candidate.matches("host|srflx|prflx|relay|unknown")) {
      candidate = "unknown";
    }
    double relaySeconds = body.path("relay_seconds").asDouble(0);
    if (relaySeconds < 0 || relaySeconds > 86_400 || Double.isNaN(relaySeconds)) {
      ErrorResponses.send(ctx, GatewayError.BAD_REQUEST, "relay_seconds: expected 0..86400.");
      return;
    }
    services.metrics().iceReport(needed.booleanValue(), candidate, relaySeconds);
    JsonResponses.noContent(ctx);
  }

  // ---- GET /v1/realtime (WebSocket) ---------------------------------------------------------

  /** 1. check the handshake; 2. resolve the provider key; 3. open the upstream WebSocket (the session takes over). */
  private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, RequestContext context) {
    RealtimeSession.ClientHandshake handshake;
    try {
      handshake = RealtimeSession.ClientHandshake.of(request);
    } finally {
      ReferenceCountUtil.release(request);
    }
    if (handshake == null) {
      ErrorResponses.send(ctx, GatewayError.BAD_REQUEST,
          "A realtime WebSocket needs Sec-WebSocket-Version: 13 and a Sec-WebSocket-Key.");
      return;
    }
    // client reads stay off until the session relays frames (it requests each read itself)
    ctx.channel().config().setAutoRead(false);
    CompletableFuture<Optional<ProviderKey>> key = providerKeys.resolve(context);
    key.whenComplete((found, error) -> ctx.executor().execute(() -> {
      if (!ctx.channel().isActive()) {
        return;
      }
      if (error != null || found.isEmpty()) {
        ctx.channel().config().setAutoRead(true);
        ErrorResponses.send(ctx, error != null ? GatewayError.INTERNAL : GatewayError.PROVIDER_KEY_MISSING,
            "No provider key is configured for provider '" + context.route().providerName() + "'.");
        return;
      }
      RealtimeConfig config = context.config().realtime();
      new RealtimeSession(ctx, context, handshake, found.get(), services.metrics(), ledgers, channels,
          config.maxFrameBytes(), config.handshakeTimeoutMillis()).start();
    }));
  }

  // ---- helpers ------------------------------------------------------------------------------

  private void sendFailure(ChannelHandlerContext ctx, RequestContext context, Throwable error) {
    Throwable cause = unwrap(error);
    if (cause instanceof SessionFailure failure) {
      ErrorResponses.send(ctx, failure.error, failure.getMessage());
      return;
    }
    if (cause instanceof HttpTimeoutException) {
      ErrorResponses.send(ctx, GatewayError.UPSTREAM_TIMEOUT, "The provider did not create a realtime session in time.");
      return;
    }
    log.warn("{} realtime session failed: {}", context.requestId(), cause.toString());
    ErrorResponses.send(ctx, GatewayError.UPSTREAM_UNAVAILABLE, "The provider could not be reached.");
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** The TURN/session user: the body's {@code user}, else the token's subject, else the key id. */
  private static String userId(RequestContext context, JsonNode body) {
    String user = body.path("user").isTextual() ? body.path("user").asText()
        : context.principal().subject() != null ? context.principal().subject() : context.principal().keyId();
    if (user == null || !USER_ID.matcher(user).matches() || user.chars().allMatch(Character::isDigit)) {
      return null;
    }
    return user;
  }

  private static JsonNode readBody(FullHttpRequest request) throws IOException {
    if (!request.content().isReadable()) {
      return JSON.createObjectNode();
    }
    JsonNode node = JSON.readTree(request.content().toString(StandardCharsets.UTF_8));
    if (node == null || !node.isObject()) {
      throw new IOException("not a JSON object");
    }
    return node;
  }

  private static URI providerUri(RouteMatch route) {
    ProviderEndpoint endpoint = route.endpoint();
    return URI.create((endpoint.tls() ? "https://" : "http://") + endpoint.hostHeader() + route.upstreamUri());
  }

  static Map<String, String> authHeaders(RouteMatch route, ProviderKey key) {
    return route.provider().auth().equals("x-api-key")
        ? Map.of("x-api-key", key.reveal())
        : Map.of("authorization", "Bearer " + key.reveal());
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  /** A /session failure with the error the client gets; the message is client-safe. */
  private static final class SessionFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient GatewayError error;

    SessionFailure(GatewayError error, String message) {
      super(message, null, false, false);
      this.error = error;
    }
  }
}
