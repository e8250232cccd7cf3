package dev.tollgate.core.realtime;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.core.config.RealtimeConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * What the realtime stages share across channels: the session token signer, the provider session
 * client, the TURN source (null when TURN is not configured), the {@code Idempotency-Key} cache, the
 * realtime meters and the playground page. Built once by the server; the idempotency TTL and the token
 * secret are read at start-up (not hot-swappable). Thread-safe.
 *
 * @param playgroundHtml the {@code /playground} page, or null to answer 404
 */
public record RealtimeServices(
    SessionTokens tokens,
    ProviderSessionClient sessions,
    TurnSource turn,
    Cache<String, CompletableFuture<String>> idempotentSessions,
    RealtimeMetrics metrics,
    byte[] playgroundHtml) {

  public RealtimeServices {
    Objects.requireNonNull(tokens, "tokens");
    Objects.requireNonNull(sessions, "sessions");
    Objects.requireNonNull(idempotentSessions, "idempotentSessions");
    Objects.requireNonNull(metrics, "metrics");
  }

  /** Builds the services from {@code config}; {@code executor} completes provider calls (never an event loop). */
  public static RealtimeServices create(RealtimeConfig config, TurnSource turn, byte[] playgroundHtml,
      MeterRegistry registry, Executor executor, Clock clock) {
    return create(config, turn, playgroundHtml, registry, executor, clock, null);
  }

  /**
   * As above, with the TLS context for the provider calls {@code POST /session} makes (trusting what the
   * relay trusts, {@code upstream.trustCertFile} included); null for the JDK's default.
   */
  public static RealtimeServices create(RealtimeConfig config, TurnSource turn, byte[] playgroundHtml,
      MeterRegistry registry, Executor executor, Clock clock, javax.net.ssl.SSLContext providerTls) {
    Cache<String, CompletableFuture<String>> idempotent = Caffeine.newBuilder()
        .expireAfterWrite(Duration.ofSeconds(config.idempotencyTtlSeconds()))
        .maximumSize(100_000)
        .build();
    return new RealtimeServices(new SessionTokens(config.sessionTokenSecret(), clock),
        new ProviderSessionClient(executor, config.sessionTimeoutMillis(), providerTls), turn, idempotent,
        new RealtimeMetrics(registry), playgroundHtml);
  }
}
