package dev.tollgate.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStateStoreTest {

  @TempDir
  Path dataDir;

  private SqliteStateStore store;

  @BeforeEach
  void open() {
    store = SqliteStateStore.open(dataDir.resolve("nested"));
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void storesAndReadsBackATenant() {
    TenantRecord tenant = new TenantRecord("ten_1", "Acme", "starter", 1000L);

    assertThat(store.createTenant(tenant)).isTrue();

    assertThat(store.tenant("ten_1")).contains(tenant);
    assertThat(store.tenant("ten_2")).isEmpty();
  }

  @Test
  void refusesADuplicateTenantIdAndKeepsTheFirst() {
    store.createTenant(new TenantRecord("ten_1", "Acme", "starter", 1000L));

    assertThat(store.createTenant(new TenantRecord("ten_1", "Other", "pro", 2000L))).isFalse();

    assertThat(store.tenant("ten_1").orElseThrow().name()).isEqualTo("Acme");
  }

  @Test
  void storesProjectsPerTenant() {
    ProjectRecord b = new ProjectRecord("ten_1", "prj_b", "B", 2L);
    ProjectRecord a = new ProjectRecord("ten_1", "prj_a", "A", 1L);
    ProjectRecord other = new ProjectRecord("ten_2", "prj_a", "Other tenant's A", 3L);

    assertThat(store.createProject(b)).isTrue();
    assertThat(store.createProject(a)).isTrue();
    assertThat(store.createProject(other)).isTrue();
    assertThat(store.createProject(new ProjectRecord("ten_1", "prj_a", "dup", 4L))).isFalse();

    assertThat(store.projects("ten_1")).containsExactly(a, b);
    assertThat(store.project("ten_2", "prj_a")).contains(other);
    assertThat(store.project("ten_1", "prj_c")).isEmpty();
  }

  @Test
  void storesKeysAndFindsThemByHashAndByTenant() {
    ApiKeyRecord first = key("key_1", "ten_1", "h1", 10L);
    ApiKeyRecord second = key("key_2", "ten_1", "h2", 20L);
    ApiKeyRecord foreign = key("key_3", "ten_2", "h3", 30L);
    store.createKey(second);
    store.createKey(first);
    store.createKey(foreign);

    assertThat(store.keyByHash("h1")).contains(first);
    assertThat(store.keyByHash("nope")).isEmpty();
    assertThat(store.key("ten_1", "key_2")).contains(second);
    assertThat(store.key("ten_1", "key_3")).isEmpty();
    assertThat(store.keys("ten_1")).containsExactly(first, second);
  }

  @Test
  void refusesADuplicateKeyIdOrHashWithoutNamingTheValues() {
    store.createKey(key("key_1", "ten_1", "secrethash1", 10L));

    assertThatThrownBy(() -> store.createKey(key("key_1", "ten_1", "secrethash2", 11L)))
        .isInstanceOf(StoreException.class)
        .hasMessageNotContaining("secrethash");
    assertThatThrownBy(() -> store.createKey(key("key_2", "ten_1", "secrethash1", 12L)))
        .isInstanceOf(StoreException.class)
        .hasMessageNotContaining("secrethash");
  }

  @Test
  void revokesAKeyOnceAndKeepsTheFirstRevocationTime() {
    store.createKey(key("key_1", "ten_1", "h1", 10L));

    ApiKeyRecord revoked = store.revokeKey("ten_1", "key_1", 500L).orElseThrow();
    ApiKeyRecord again = store.revokeKey("ten_1", "key_1", 900L).orElseThrow();

    assertThat(revoked.active()).isFalse();
    assertThat(revoked.revokedAtMillis()).isEqualTo(500L);
    assertThat(again.revokedAtMillis()).isEqualTo(500L);
    assertThat(store.keyByHash("h1").orElseThrow().active()).isFalse();
  }

  @Test
  void doesNotRevokeAnotherTenantsKey() {
    store.createKey(key("key_1", "ten_1", "h1", 10L));

    assertThat(store.revokeKey("ten_2", "key_1", 500L)).isEmpty();
    assertThat(store.revokeKey("ten_1", "key_9", 500L)).isEmpty();

    assertThat(store.keyByHash("h1").orElseThrow().active()).isTrue();
  }

  @Test
  void countsOnlyStatementsThatChangedState() {
    long before = store.writeCount();

    store.createTenant(new TenantRecord("ten_1", "Acme", "starter", 1L));
    store.createTenant(new TenantRecord("ten_1", "Acme", "starter", 1L)); // ignored duplicate
    store.createProject(new ProjectRecord("ten_1", "prj_1", "P", 1L));
    store.createKey(key("key_1", "ten_1", "h1", 1L));
    store.revokeKey("ten_1", "key_1", 5L);
    store.revokeKey("ten_1", "key_1", 6L); // already revoked
    store.tenant("ten_1");
    store.keyByHash("h1");
    store.keys("ten_1");

    assertThat(store.writeCount() - before).isEqualTo(4);
  }

  @Test
  void keptStatementsHoldNoReadOpenSoAnotherConnectionCanCheckpointTheWholeLog() throws Exception {
    for (int i = 0; i < 50; i++) { // the lease path: a read and an upsert, each a kept statement
      assertThat(store.tryTakeLease("requests:t1:2026-11:included", 10, 1_000)).isEqualTo(10);
      assertThat(store.tenant("t" + i)).isEmpty();
    }
    assertThat(store.used("requests:t1:2026-11:included")).isEqualTo(500);
    assertThat(store.preparedStatements()).isEqualTo(3); // lease read, lease upsert, tenant read

    // a statement left stepped (not reset) would keep a read open and block a full checkpoint
    try (java.sql.Connection other = java.sql.DriverManager.getConnection(
            "jdbc:sqlite:" + dataDir.resolve("nested").resolve("tollgate.db"));
        java.sql.Statement s = other.createStatement();
        java.sql.ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).as("checkpoint blocked").isZero();
    }
    assertThat(store.used("requests:t1:2026-11:included")).isEqualTo(500);
  }

  @Test
  void keepsDataAcrossReopening() {
    store.createTenant(new TenantRecord("ten_1", "Acme", "starter", 1L));
    store.close();

    store = SqliteStateStore.open(dataDir.resolve("nested"));

    assertThat(store.tenant("ten_1")).isPresent();
    assertThat(store.ping()).isTrue();
  }

  @Test
  void runsStoreCallsOnItsOwnThread() throws Exception {
    String thread = store.executor().submit(() -> Thread.currentThread().getName()).get();

    assertThat(thread).isEqualTo("tollgate-store");
  }

  private static ApiKeyRecord key(String id, String tenantId, String hash, long createdAtMillis) {
    return new ApiKeyRecord(id, tenantId, "prj_1", "name " + id, "abcd1234", hash, createdAtMillis, 0L);
  }
}
