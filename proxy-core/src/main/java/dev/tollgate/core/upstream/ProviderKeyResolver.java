package dev.tollgate.core.upstream;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.core.audit.AuditLog;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.vault.Vault;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Finds the provider key for a request: the project's secret, else the tenant's secret (both from the
 * vault), else the operator's default from config (operator-paid mode); empty when there is none.
 * Decrypted keys live in a short-lived, bounded cache, so the hot path does no decryption per request;
 * a miss decrypts on {@code executor}, never on an event loop. The admin API invalidates a tenant's
 * entries when its secrets change. Thread-safe.
 */
public final class ProviderKeyResolver {

  private static final CompletableFuture<Optional<String>> NONE = CompletableFuture.completedFuture(Optional.empty());

  private final Supplier<Vault> vault;
  private final AuditLog audit;
  private final AsyncLoadingCache<CacheKey, Optional<String>> cache;

  /**
   * @param vault the vault, or a supplier of null when no KEK is configured
   * @param audit where first uses of a tenant secret are recorded
   */
  public ProviderKeyResolver(Supplier<Vault> vault, AuditLog audit, Executor executor, long ttlMillis, int maxEntries) {
    this.vault = vault;
    this.audit = audit;
    this.cache = Caffeine.newBuilder()
        .expireAfterWrite(Duration.ofMillis(ttlMillis))
        .maximumSize(maxEntries)
        .executor(executor)
        .buildAsync(key -> {
          Vault v = this.vault.get();
          if (v == null) {
            return Optional.empty();
          }
          return v.resolve(key.tenantId(), key.projectId(), key.provider()).map(secret -> secret.reveal());
        });
  }

  /** The key for {@code request}'s tenant, project and provider; completes at once on a cache hit. */
  public CompletableFuture<Optional<ProviderKey>> resolve(RequestContext request) {
    String provider = request.route().providerName();
    String operatorDefault = request.route().provider().apiKey();
    CompletableFuture<Optional<String>> secret = request.principal() == null || vault.get() == null
        ? NONE
        : cache.get(new CacheKey(request.principal().tenantId(),
            request.principal().projectId() == null ? "" : request.principal().projectId(), provider));
    if (secret.isDone() && !secret.isCompletedExceptionally()) {
      return CompletableFuture.completedFuture(choose(request, secret.join(), operatorDefault, provider));
    }
    return secret.thenApply(found -> choose(request, found, operatorDefault, provider));
  }

  /** Drops every cached key of {@code tenantId} (its secrets changed or were rotated). */
  public void invalidateTenant(String tenantId) {
    cache.synchronous().asMap().keySet().removeIf(key -> key.tenantId().equals(tenantId));
  }

  /** Drops every cached key (KEK rotation). */
  public void invalidateAll() {
    cache.synchronous().invalidateAll();
  }

  private Optional<ProviderKey> choose(RequestContext request, Optional<String> secret, String operatorDefault,
      String provider) {
    if (secret.isPresent()) {
      audit.secretUse(request.principal().tenantId(), provider, "key:" + request.principal().keyId());
      return Optional.of(new ProviderKey(secret.get(), ProviderKey.Source.PROJECT_OR_TENANT_SECRET));
    }
    if (!operatorDefault.isEmpty()) {
      return Optional.of(new ProviderKey(operatorDefault, ProviderKey.Source.OPERATOR_DEFAULT));
    }
    return Optional.empty();
  }

  private record CacheKey(String tenantId, String projectId, String provider) {
  }
}
