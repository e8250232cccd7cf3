package dev.tollgate.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.store.FakeStateStore;
import dev.tollgate.core.store.TenantRecord;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TenantDirectoryTest {

  private final FakeStateStore store = new FakeStateStore();

  @Test
  void aCachedTenantChangedInTheStoreIsSeenOnceCacheHitsHaveRefreshedIt() throws Exception {
    // refreshed after 20 ms, expired only after 30 s: only a refresh started by a hit can see the change
    TenantDirectory tenants = new TenantDirectory(store, 20);
    store.createTenant(new TenantRecord("acme", "Acme", "free", 0));
    assertThat(plan(tenants)).isEqualTo("free");

    store.updateTenant(new TenantRecord("acme", "Acme", "pro", 0));

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String seen;
    do {
      Thread.sleep(5);
      seen = plan(tenants); // a hit on a stale entry queues its reload on the store's executor
    } while (seen.equals("free") && System.nanoTime() < deadline);
    assertThat(seen).isEqualTo("pro");
  }

  @Test
  void anUnknownTenantIsAbsentAndAnInvalidatedOneIsLoadedAgain() throws Exception {
    TenantDirectory tenants = new TenantDirectory(store, 60_000);
    assertThat(tenant(tenants, "nobody")).isEmpty();

    store.createTenant(new TenantRecord("acme", "Acme", "free", 0));
    assertThat(tenant(tenants, "acme")).map(TenantRecord::plan).contains("free");
    store.updateTenant(new TenantRecord("acme", "Acme", "pro", 0));
    assertThat(tenant(tenants, "acme")).map(TenantRecord::plan).as("cached").contains("free");

    tenants.invalidate("acme");
    assertThat(tenant(tenants, "acme")).map(TenantRecord::plan).contains("pro");
  }

  private String plan(TenantDirectory tenants) throws Exception {
    return tenant(tenants, "acme").orElseThrow().plan();
  }

  /** Looks the tenant up, running the store lookups it queued (a miss, or a refresh) on this thread. */
  private Optional<TenantRecord> tenant(TenantDirectory tenants, String id) throws Exception {
    CompletableFuture<Optional<TenantRecord>> result = tenants.tenant(id);
    store.runPendingTasks();
    return result.get(5, TimeUnit.SECONDS);
  }
}
