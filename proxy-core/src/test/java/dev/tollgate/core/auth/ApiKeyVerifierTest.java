package dev.tollgate.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.config.AuthConfig;
import dev.tollgate.core.store.FakeStateStore;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ApiKeyVerifierTest {

  private final FakeStateStore store = new FakeStateStore();
  private final String key = ApiKeys.generate();

  @Test
  void aCachedKeyRevokedInTheStoreIsRefusedOnceCacheHitsHaveRefreshedIt() throws Exception {
    // refreshed after 20 ms, expired only after a minute: only a refresh can notice the revocation
    ApiKeyVerifier verifier = new ApiKeyVerifier(store, new AuthConfig(100, 20, 60_000));
    store.addKey("key_1", "ten_1", "prj_1", ApiKeys.hash(key));
    assertThat(verified(verifier)).isPresent();

    store.revokeKey("ten_1", "key_1", System.currentTimeMillis());

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    Optional<Principal> seen;
    do {
      Thread.sleep(5);
      seen = verified(verifier); // a hit on a stale entry queues its reload on the store's executor
    } while (seen.isPresent() && System.nanoTime() < deadline);
    assertThat(seen).isEmpty();
  }

  @Test
  void aMalformedKeyIsRefusedWithoutAStoreLookup() throws Exception {
    ApiKeyVerifier verifier = new ApiKeyVerifier(store, new AuthConfig(100, 1_000, 60_000));

    assertThat(verifier.verify("not-a-key").get(1, TimeUnit.SECONDS)).isEmpty();
    assertThat(store.pendingTasks()).isZero();
  }

  /** Verifies the key, running the store lookups it queued (a miss, or a refresh) on this thread. */
  private Optional<Principal> verified(ApiKeyVerifier verifier) throws Exception {
    CompletableFuture<Optional<Principal>> result = verifier.verify(key);
    store.runPendingTasks();
    return result.get(5, TimeUnit.SECONDS);
  }
}
