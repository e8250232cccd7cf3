package dev.tollgate.core.auth;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.core.clock.CoarseClock;
import dev.tollgate.core.store.StateStore;
import dev.tollgate.core.store.TenantRecord;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Tenants by id through a Caffeine cache: a hit completes on the calling event loop, a miss loads on
 * the store's executor. The admin API invalidates a tenant when it changes its plan or settings, so
 * the change applies from the next request on this node. Thread-safe.
 */
public final class TenantDirectory {

  private final AsyncLoadingCache<String, Optional<TenantRecord>> cache;

  public TenantDirectory(StateStore store, long refreshMillis) {
    this.cache = Caffeine.newBuilder()
        .maximumSize(100_000)
        .refreshAfterWrite(Duration.ofMillis(refreshMillis))
        .expireAfterWrite(Duration.ofMillis(Math.max(refreshMillis * 30, 30_000)))
        .ticker(CoarseClock::nanoTime) // freshness to a tenth of a second, without two clock reads a lookup
        .executor(store.executor())
        .buildAsync(store::tenant);
  }

  public CompletableFuture<Optional<TenantRecord>> tenant(String id) {
    // a hit (the common case) without the loading lambda get() allocates; it still counts as a read
    // for refreshAfterWrite
    CompletableFuture<Optional<TenantRecord>> cached = cache.getIfPresent(id);
    return cached != null ? cached : cache.get(id);
  }

  public void invalidate(String id) {
    cache.synchronous().invalidate(id);
  }
}
