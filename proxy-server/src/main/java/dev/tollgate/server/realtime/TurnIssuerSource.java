package dev.tollgate.server.realtime;

import dev.tollgate.core.config.TurnRelayConfig;
import dev.tollgate.core.realtime.TurnSource;
import dev.tollgate.turn.CachingTurnIssuer;
import dev.tollgate.turn.TurnConfig;
import dev.tollgate.turn.TurnCredentialIssuer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The core's {@link TurnSource} over the turn-issuer module: maps the {@code turn:} config section onto
 * a {@link TurnCredentialIssuer} and exports the issuer's cache counters ({@code tollgate_turn_mints},
 * {@code tollgate_turn_cache_hits}). Thread-safe and non-blocking, like the issuer.
 */
public final class TurnIssuerSource implements TurnSource {

  private final TurnCredentialIssuer issuer;

  TurnIssuerSource(TurnCredentialIssuer issuer) {
    this.issuer = Objects.requireNonNull(issuer, "issuer");
  }

  /** The source {@code config} describes, or null when TURN is not configured (then /turn-credentials is 404). */
  public static TurnIssuerSource create(TurnRelayConfig config, MeterRegistry registry, Clock clock) {
    if (!config.configured()) {
      return null;
    }
    TurnCredentialIssuer issuer = TurnCredentialIssuer.create(turnConfig(config), clock);
    if (issuer instanceof CachingTurnIssuer caching) {
      FunctionCounter.builder("tollgate_turn_mints", caching, CachingTurnIssuer::issuedCount)
          .description("TURN credentials minted (cache misses)").register(registry);
      FunctionCounter.builder("tollgate_turn_cache_hits", caching, CachingTurnIssuer::cacheHitCount)
          .description("TURN credentials served from the per-user cache").register(registry);
      Gauge.builder("tollgate_turn_cache_entries", caching, CachingTurnIssuer::cachedEntries).register(registry);
    }
    return new TurnIssuerSource(issuer);
  }

  /** The turn-issuer config for the {@code turn:} section (validated again by {@link TurnConfig}). */
  static TurnConfig turnConfig(TurnRelayConfig config) {
    if (config.mode().equals(TurnRelayConfig.CLOUDFLARE)) {
      TurnRelayConfig.CloudflareConfig cf = config.cloudflare();
      return TurnConfig.cloudflare(config.ttlSeconds(), new TurnConfig.Cloudflare(cf.keyId(), cf.apiToken(),
          cf.baseUrl().isEmpty() ? null : URI.create(cf.baseUrl()), cf.timeoutMillis(), cf.maxRetries()),
          config.cacheEnabled());
    }
    List<TurnConfig.Secret> secrets = config.configuredSecrets().stream()
        .map(s -> new TurnConfig.Secret(s.id(), s.secret())).toList();
    return TurnConfig.restSecret(config.ttlSeconds(), config.uris(), secrets,
        config.realm().isEmpty() ? null : config.realm(), config.cacheEnabled());
  }

  @Override
  public CompletableFuture<String> credentialsJson(String tenantId, String userId) {
    return issuer.issue(tenantId, userId).thenApply(credentials -> credentials.toJson());
  }

  @Override
  public String toString() {
    return "TurnIssuerSource[" + issuer + "]";
  }
}
