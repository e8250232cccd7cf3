package dev.tollgate.core.upstream;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.core.audit.AuditLog;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.vault.Vault;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Finds the provider key for a request: the project's secret, else the tenant's secret (both from the
 * vault), else the operator's default from config (operator-paid mode); empty when there is none.
 * Decrypted keys live in a short-lived, bounded cache, so the hot path does no decryption per request;
 * a miss decrypts on {@code executor}, never on an event loop. The admin API invalidates a tenant's
 * entries when its secrets change. A resolved key is kept as the {@link ProviderKey} (and completed
 * future) every request is given, the vault's in its cache entry and the operator's per provider until
 * the config names another, so a request makes none of them, nor the key's {@code Bearer} string.
 * Thread-safe.
 */
public final class ProviderKeyResolver {

  private static final CompletableFuture<Optional<ProviderKey>> NONE =
      CompletableFuture.completedFuture(Optional.empty());

  private final Supplier<Vault> vault;
  private final AuditLog audit;
  private final AsyncLoadingCache<CacheKey, Optional<ProviderKey>> cache;
  /** Per provider name: the operator's default key as the config last gave it, resolved. */
  private final ConcurrentHashMap<String, CompletableFuture<Optional<ProviderKey>>> operatorKeys =
      new ConcurrentHashMap<>();

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
          return v.resolve(key.tenantId(), key.projectId(), key.provider())
              .map(secret -> new ProviderKey(secret.reveal(), ProviderKey.Source.PROJECT_OR_TENANT_SECRET));
        });
  }

  /**
   * The key for {@code request}'s tenant, project and provider; completes at once on a cache hit. The
   * future may be shared with other requests: read it, never complete it.
   */
  public CompletableFuture<Optional<ProviderKey>> resolve(RequestContext request) {
    if (request.principal() == null || vault.get() == null) {
      return operatorKey(request);
    }
    String projectId = request.principal().projectId();
    CacheKey key = new CacheKey(request.principal().tenantId(), projectId == null ? "" : projectId,
        request.route().providerName());
    // a hit without the loading lambda get() allocates
    CompletableFuture<Optional<ProviderKey>> cached = cache.getIfPresent(key);
    CompletableFuture<Optional<ProviderKey>> secret = cached != null ? cached : cache.get(key);
    if (secret.isDone() && !secret.isCompletedExceptionally()) {
      return secret.join().isPresent() ? audited(request, secret) : operatorKey(request);
    }
    return secret.thenCompose(found -> found.isPresent() ? audited(request, secret) : operatorKey(request));
  }

  /** Drops every cached key of {@code tenantId} (its secrets changed or were rotated). */
  public void invalidateTenant(String tenantId) {
    cache.synchronous().asMap().keySet().removeIf(key -> key.tenantId().equals(tenantId));
  }

  /** Drops every cached key (KEK rotation). */
  public void invalidateAll() {
    cache.synchronous().invalidateAll();
  }

  /** {@code secret}, a tenant's key from the vault, after noting its use in the audit log. */
  private CompletableFuture<Optional<ProviderKey>> audited(RequestContext request,
      CompletableFuture<Optional<ProviderKey>> secret) {
    audit.secretUse(request.principal().tenantId(), request.route().providerName(),
        "key:" + request.principal().keyId());
    return secret;
  }

  /**
   * The operator's default key for the request's provider, or none. The one made for the provider is
   * given again while the request's config snapshot names the same key; a reload that changes it makes
   * a new one (and drops the old).
   */
  private CompletableFuture<Optional<ProviderKey>> operatorKey(RequestContext request) {
    String configured = request.route().provider().apiKey();
    if (configured.isEmpty()) {
      return NONE;
    }
    String provider = request.route().providerName();
    CompletableFuture<Optional<ProviderKey>> known = operatorKeys.get(provider);
    if (known != null && known.join().get().reveal().equals(configured)) {
      return known;
    }
    ProviderKey key = new ProviderKey(configured, ProviderKey.Source.OPERATOR_DEFAULT);
    CompletableFuture<Optional<ProviderKey>> made = CompletableFuture.completedFuture(Optional.of(key));
    operatorKeys.put(provider, made);
    return made;
  }

  private record CacheKey(String tenantId, String projectId, String provider) {
  }
}
