package dev.tollgate.core.auth.jwt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Objects;

/**
 * One {@link JwtVerifier} per tenant, so each tenant's JWK set cache survives between requests. A
 * verifier is rebuilt when the tenant's config changes (hot reload). Thread-safe; building a verifier
 * does not fetch keys, so it is cheap, but {@link JwtVerifier#verify} may block.
 */
public final class JwtVerifierRegistry {

  private final Cache<String, JwtVerifier> verifiers;

  /**
   * @param maxTenants how many tenants' verifiers (and JWK sets) stay in memory
   * @param idleSeconds a verifier unused this long is dropped with its cached keys
   */
  public JwtVerifierRegistry(int maxTenants, long idleSeconds) {
    if (maxTenants <= 0) {
      throw new IllegalArgumentException("maxTenants: " + maxTenants + " (expected: > 0)");
    }
    if (idleSeconds <= 0) {
      throw new IllegalArgumentException("idleSeconds: " + idleSeconds + " (expected: > 0)");
    }
    this.verifiers = Caffeine.newBuilder()
        .maximumSize(maxTenants)
        .expireAfterAccess(Duration.ofSeconds(idleSeconds))
        .build();
  }

  /** The verifier for {@code config}'s tenant, built or rebuilt if the tenant's config changed. */
  public JwtVerifier verifierFor(JwtVerifierConfig config) {
    Objects.requireNonNull(config, "config");
    JwtVerifier current = verifiers.asMap().compute(config.tenantId(),
        (tenantId, existing) -> existing != null && existing.config().equals(config)
            ? existing : new JwtVerifier(config));
    return current;
  }

  /** Drops the tenant's verifier and its cached keys, e.g. when the tenant is deleted. */
  public void invalidate(String tenantId) {
    verifiers.invalidate(tenantId);
  }

  /** How many tenants currently have a verifier; for metrics and tests. */
  public long size() {
    verifiers.cleanUp();
    return verifiers.estimatedSize();
  }
}
