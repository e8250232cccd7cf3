package dev.tollgate.core.auth;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.core.auth.jwt.JwtRejectedException;
import dev.tollgate.core.auth.jwt.JwtVerifierConfig;
import dev.tollgate.core.auth.jwt.JwtVerifierRegistry;
import dev.tollgate.core.auth.jwt.VerifiedJwt;
import dev.tollgate.core.store.StateStore;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a tenant-issued JWT into a {@link Principal} for {@link AuthHandler}: the token's claimed
 * {@code iss} (read unverified) picks the one tenant whose JWT settings name that issuer (cached,
 * loaded on the store's executor), and that tenant's verifier then checks everything on a small
 * dedicated executor ({@code tollgate-jwt-*}), because a JWKS fetch may block. Never on an event loop;
 * never logs the token. Thread-safe.
 */
public final class JwtAuthenticator implements AutoCloseable {

  /** Tokens that carry no project claim act for the tenant's default project. */
  public static final String DEFAULT_PROJECT = "default";
  static final int QUEUE_CAPACITY = 1024;
  private static final Logger log = LoggerFactory.getLogger(JwtAuthenticator.class);
  private static final CompletableFuture<Optional<Principal>> REJECTED =
      CompletableFuture.completedFuture(Optional.empty());

  private final AsyncLoadingCache<String, Optional<JwtVerifierConfig>> byIssuer;
  private final JwtVerifierRegistry verifiers;
  private final ExecutorService executor;

  /**
   * @param verifyThreads threads that run verifications (and JWKS fetches); a full queue fails the
   *     request with 500 rather than queueing without bound
   * @param issuerCacheRefreshMillis how soon another node's admin change is seen here
   */
  public JwtAuthenticator(StateStore store, int verifyThreads, long issuerCacheRefreshMillis) {
    Objects.requireNonNull(store, "store");
    if (verifyThreads <= 0) {
      throw new IllegalArgumentException("verifyThreads: " + verifyThreads + " (expected: > 0)");
    }
    this.byIssuer = Caffeine.newBuilder()
        .maximumSize(10_000)
        .refreshAfterWrite(Duration.ofMillis(issuerCacheRefreshMillis))
        .expireAfterWrite(Duration.ofMillis(Math.max(issuerCacheRefreshMillis * 30, 30_000)))
        .executor(store.executor())
        .buildAsync(store::jwtConfigByIssuer);
    this.verifiers = new JwtVerifierRegistry(10_000, 3_600);
    AtomicInteger threadNumber = new AtomicInteger();
    this.executor = new ThreadPoolExecutor(verifyThreads, verifyThreads, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(QUEUE_CAPACITY), r -> {
          Thread t = new Thread(r, "tollgate-jwt-" + threadNumber.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * The principal for {@code token}, or empty when no tenant has its issuer or the tenant's verifier
   * rejects it. Completes on the JWT executor (or at once for tokens rejected before verification).
   */
  public CompletableFuture<Optional<Principal>> authenticate(String token) {
    String issuer = CompactJws.unverifiedIssuer(token);
    if (issuer == null) {
      log.debug("jwt rejected: no readable iss claim");
      return REJECTED;
    }
    return byIssuer.get(issuer).thenCompose(config -> {
      if (config.isEmpty()) {
        log.debug("jwt rejected: no tenant has the token's issuer");
        return REJECTED;
      }
      return CompletableFuture.supplyAsync(() -> verify(config.get(), token), executor);
    });
  }

  /**
   * Forgets what is cached for a tenant's JWT settings after an admin change: the verifier (and its
   * JWK set) and the issuer lookups for every issuer named, old and new.
   */
  public void invalidate(String tenantId, String... issuers) {
    verifiers.invalidate(tenantId);
    for (String issuer : issuers) {
      if (issuer != null) {
        byIssuer.synchronous().invalidate(issuer);
      }
    }
  }

  /** Stops the verification threads; requests still queued fail. */
  @Override
  public void close() {
    executor.shutdownNow();
  }

  private Optional<Principal> verify(JwtVerifierConfig config, String token) {
    try {
      VerifiedJwt verified = verifiers.verifierFor(config).verify(token);
      String projectId = verified.projectId() == null || verified.projectId().isBlank()
          ? DEFAULT_PROJECT : verified.projectId();
      return Optional.of(new Principal(verified.tenantId(), projectId, verified.keyId(), verified.subject()));
    } catch (JwtRejectedException e) {
      // the reason never contains the token (see JwtRejectedException)
      log.debug("jwt rejected for tenant {}: {}", config.tenantId(), e.getMessage());
      return Optional.empty();
    }
  }
}
