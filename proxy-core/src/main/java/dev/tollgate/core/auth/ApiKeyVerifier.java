package dev.tollgate.core.auth;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.core.clock.CoarseClock;
import dev.tollgate.core.config.AuthConfig;
import dev.tollgate.core.store.ApiKeyRecord;
import dev.tollgate.core.store.StateStore;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Verifies presented {@code tg_} keys against the store through a Caffeine cache keyed by the key's
 * SHA-256 ({@link KeyDigest}: four longs, no hex string per request). A cache hit completes immediately
 * on the calling event loop; a miss loads on the store's executor. Entries are re-checked in the
 * background after {@code keyCacheRefreshMillis}, and {@link #invalidate} drops one at once (the admin
 * API calls it on revocation). Thread-safe.
 */
public final class ApiKeyVerifier {

  private static final CompletableFuture<Optional<Principal>> REJECTED =
      CompletableFuture.completedFuture(Optional.empty());

  private final AsyncLoadingCache<KeyDigest, Optional<Principal>> cache;

  public ApiKeyVerifier(StateStore store, AuthConfig config) {
    this.cache = Caffeine.newBuilder()
        .maximumSize(config.keyCacheMaxEntries())
        .refreshAfterWrite(Duration.ofMillis(config.keyCacheRefreshMillis()))
        .expireAfterWrite(Duration.ofMillis(config.keyCacheExpireMillis()))
        .ticker(CoarseClock::nanoTime) // freshness to a tenth of a second, without two clock reads a lookup
        .executor(store.executor())
        .buildAsync(digest -> store.keyByHash(digest.hex()).filter(ApiKeyRecord::active)
            .map(ApiKeyVerifier::principal));
  }

  /** The principal for {@code presentedKey}, or empty if it is malformed, unknown or revoked. */
  public CompletableFuture<Optional<Principal>> verify(String presentedKey) {
    return presentedKey == null ? REJECTED : verify(presentedKey, 0, presentedKey.length());
  }

  /**
   * As {@link #verify(String)}, for the key at {@code start} (inclusive) to {@code end} of {@code value}
   * (an {@code Authorization} header's value): the key is never copied out of it.
   */
  CompletableFuture<Optional<Principal>> verify(String value, int start, int end) {
    if (!ApiKeys.looksValid(value, start, end)) {
      return REJECTED;
    }
    return lookUp(KeyDigest.of(value, start, end));
  }

  /**
   * As {@link #verify(String, int, int)}, on a connection that remembers its {@code last} key: the same
   * key again is not hashed again (it was checked for shape when it was remembered).
   */
  CompletableFuture<Optional<Principal>> verify(String value, int start, int end, LastPresentedKey last) {
    KeyDigest digest = last.digestIfSame(value, start, end);
    if (digest == null) {
      if (!ApiKeys.looksValid(value, start, end)) {
        return REJECTED;
      }
      digest = KeyDigest.of(value, start, end);
      last.remember(value, start, end, digest);
    }
    return lookUp(digest);
  }

  private CompletableFuture<Optional<Principal>> lookUp(KeyDigest digest) {
    // a hit (the common case) without the loading lambda get() allocates; it still counts as a read
    // for refreshAfterWrite
    CompletableFuture<Optional<Principal>> cached = cache.getIfPresent(digest);
    return cached != null ? cached : cache.get(digest);
  }

  /** Forgets the cached verdict for the key with this hash (after a revocation). */
  public void invalidate(String keyHash) {
    KeyDigest digest = KeyDigest.ofHex(keyHash);
    if (digest != null) { // anything else is no key's SHA-256, so nothing is cached under it
      cache.synchronous().invalidate(digest);
    }
  }

  private static Principal principal(ApiKeyRecord key) {
    return new Principal(key.tenantId(), key.projectId(), key.id(), null);
  }
}
