package dev.tollgate.core.vault;

import static dev.tollgate.core.vault.VaultFixtures.CLOCK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.api.Test;

class VaultTest {

  private static final Kek K1 = VaultFixtures.kek("k1", 0x10);
  private static final Kek K2 = VaultFixtures.kek("k2", 0x50);
  private static final String OPENAI_KEY = "sk-proj-AAAAbbbbCCCCdddd1234";

  private final InMemoryVaultStore store = new InMemoryVaultStore();
  private final Vault vault = VaultFixtures.vault(store, KekRing.of(K1));

  @Test
  void resolvesATenantSecretForAnyProject() {
    vault.putSecret("t1", null, "openai", OPENAI_KEY);

    assertThat(vault.resolve("t1", "proj-1", "openai")).map(SecretValue::reveal).contains(OPENAI_KEY);
    assertThat(vault.resolve("t1", null, "openai")).map(SecretValue::reveal).contains(OPENAI_KEY);
  }

  @Test
  void projectSecretOverridesTheTenantSecret() {
    vault.putSecret("t1", "", "openai", OPENAI_KEY);
    vault.putSecret("t1", "proj-1", "openai", "sk-proj-only-for-proj-1".toCharArray());

    assertThat(vault.resolve("t1", "proj-1", "openai")).map(SecretValue::reveal)
        .contains("sk-proj-only-for-proj-1");
    assertThat(vault.resolve("t1", "proj-2", "openai")).map(SecretValue::reveal).contains(OPENAI_KEY);
  }

  @Test
  void unknownSecretOrTenantResolvesToEmpty() {
    vault.putSecret("t1", null, "openai", OPENAI_KEY);

    assertThat(vault.resolve("t1", null, "anthropic")).isEmpty();
    assertThat(vault.resolve("t2", null, "openai")).isEmpty();
  }

  @Test
  void anotherTenantNeverSeesTheSecret() {
    vault.putSecret("t1", null, "openai", OPENAI_KEY);
    vault.putSecret("t2", null, "other", "sk-other-tenant-secret");

    assertThat(vault.resolve("t2", null, "openai")).isEmpty();
    assertThat(store.deks("t1").get(0).wrappedDek()).isNotEqualTo(store.deks("t2").get(0).wrappedDek());
  }

  @Test
  void rowCopiedToAnotherTenantFailsClosed() {
    vault.putSecret("t1", null, "openai", OPENAI_KEY);
    vault.putSecret("t2", null, "placeholder", "sk-placeholder-value");
    StoredSecret row = store.secret("t1", "", "openai").orElseThrow();
    // Same DEK version number, other tenant: the AAD and the DEK both differ.
    store.putSecret(new StoredSecret("t2", "", "openai", row.record(), row.createdAt(), row.rotatedAt()));

    assertThatThrownBy(() -> vault.resolve("t2", null, "openai"))
        .isInstanceOf(VaultException.class)
        .hasMessageStartingWith("tenant 't2', secret 'openai' does not decrypt")
        .hasCauseInstanceOf(AEADBadTagException.class);
  }

  @Test
  void listShowsMetadataAndOnlyTheLastFourCharacters() {
    vault.putSecret("t1", null, "openai", OPENAI_KEY);
    vault.putSecret("t1", "proj-1", "anthropic", "short");

    List<SecretMetadata> list = vault.listSecrets("t1");

    assertThat(list).extracting(SecretMetadata::name).containsExactly("openai", "anthropic");
    SecretMetadata openai = list.get(0);
    assertThat(openai.scope()).isEqualTo(SecretScope.TENANT);
    assertThat(openai.suffix()).isEqualTo("1234");
    assertThat(openai.kekId()).isEqualTo("k1");
    assertThat(openai.createdAt()).isEqualTo(CLOCK.instant());
    assertThat(list.get(1).scope()).isEqualTo(SecretScope.PROJECT);
    assertThat(list.get(1).suffix()).isEmpty();
    assertThat(list.toString()).doesNotContain(OPENAI_KEY).doesNotContain("short");
  }

  @Test
  void replacingAValueKeepsItsCreationTime() {
    vault.putSecret("t1", null, "openai", OPENAI_KEY);
    SecretMetadata replaced = vault.putSecret("t1", null, "openai", "sk-replacement-key-9999");

    assertThat(replaced.suffix()).isEqualTo("9999");
    assertThat(vault.resolve("t1", null, "openai")).map(SecretValue::reveal).contains("sk-replacement-key-9999");
    assertThat(store.deks("t1")).singleElement()
        .extracting(TenantDekRecord::encryptionCount).isEqualTo(2L);
  }

  @Test
  void deleteRemovesOnlyTheNamedScope() {
    vault.putSecret("t1", null, "openai", OPENAI_KEY);
    vault.putSecret("t1", "proj-1", "openai", "sk-project-override-key");

    assertThat(vault.deleteSecret("t1", "proj-1", "openai")).isTrue();
    assertThat(vault.deleteSecret("t1", "proj-1", "openai")).isFalse();
    assertThat(vault.resolve("t1", "proj-1", "openai")).map(SecretValue::reveal).contains(OPENAI_KEY);
  }

  @Test
  void kekRotationMovesEveryDekToTheNewKekAndTheOldKekCanThenGo() {
    for (int t = 0; t < 5; t++) {
      vault.putSecret("t" + t, null, "openai", OPENAI_KEY + t);
    }
    Vault rotating = VaultFixtures.vault(store, KekRing.of(K2, K1));

    KekRotationResult result = rotating.rotateKek();

    assertThat(result).isEqualTo(new KekRotationResult(5, 0, 0, List.of()));
    for (int t = 0; t < 5; t++) {
      assertThat(store.deks("t" + t)).singleElement().extracting(TenantDekRecord::kekId).isEqualTo("k2");
    }
    Vault withoutOldKek = VaultFixtures.vault(store, KekRing.of(K2));
    for (int t = 0; t < 5; t++) {
      assertThat(withoutOldKek.resolve("t" + t, null, "openai")).map(SecretValue::reveal)
          .contains(OPENAI_KEY + t);
    }
    assertThat(withoutOldKek.rotateKek()).isEqualTo(new KekRotationResult(0, 5, 0, List.of()));
  }

  @Test
  void reloadedRingIsUsedForRotationAndReads() {
    vault.putSecret("t1", null, "openai", OPENAI_KEY);

    vault.useKeks(KekRing.of(K2, K1));
    assertThat(vault.rotateKek().rewrapped()).isEqualTo(1);
    vault.useKeks(KekRing.of(K2));

    assertThat(vault.resolve("t1", null, "openai")).map(SecretValue::reveal).contains(OPENAI_KEY);
  }

  @Test
  void suffixIsTheLastFourCodePointsEvenWhenMultiByte() {
    String value = "sk-unicode-\u00e9\u00e9-\u20ac\u20ac\u20ac\ud83d\udd11";
    vault.putSecret("t1", null, "openai", value);

    assertThat(vault.listSecrets("t1")).singleElement().extracting(SecretMetadata::suffix)
        .isEqualTo("\u20ac\u20ac\u20ac\ud83d\udd11");
  }

  @Test
  void interruptedKekRotationFinishesOnReRun() {
    for (int t = 0; t < 6; t++) {
      vault.putSecret("t" + t, null, "openai", OPENAI_KEY + t);
    }
    FailingStore failing = new FailingStore(store, 2); // the third re-wrap throws
    Vault rotating = VaultFixtures.vault(failing, KekRing.of(K2, K1));

    assertThatThrownBy(rotating::rotateKek).isInstanceOf(IllegalStateException.class);
    failing.failAfterPuts = Integer.MAX_VALUE;
    KekRotationResult rerun = rotating.rotateKek();

    assertThat(rerun).isEqualTo(new KekRotationResult(4, 2, 0, List.of()));
    Vault withoutOldKek = VaultFixtures.vault(store, KekRing.of(K2));
    for (int t = 0; t < 6; t++) {
      assertThat(withoutOldKek.resolve("t" + t, null, "openai")).map(SecretValue::reveal)
          .contains(OPENAI_KEY + t);
    }
  }

  @Test
  void kekRotationCountsADekItCannotUnwrapAsFailedAndGoesOn() {
    vault.putSecret("t1", null, "openai", OPENAI_KEY);
    Vault underOtherKek = VaultFixtures.vault(store, KekRing.of(VaultFixtures.kek("k0", 0x30)));
    underOtherKek.putSecret("t2", null, "openai", OPENAI_KEY);
    Vault rotating = VaultFixtures.vault(store, KekRing.of(K2, K1)); // k0 is not in the ring

    assertThat(rotating.rotateKek()).isEqualTo(new KekRotationResult(1, 0, 1, List.of("t2")));
    assertThat(store.deks("t2")).singleElement().extracting(TenantDekRecord::kekId).isEqualTo("k0");
  }

  @Test
  void wrongKekFailsClosedWithAClearError() {
    vault.putSecret("t1", null, "openai", OPENAI_KEY);
    Vault impostor = VaultFixtures.vault(store, KekRing.of(VaultFixtures.kek("k1", 0x66)));

    assertThatThrownBy(() -> impostor.resolve("t1", null, "openai"))
        .isInstanceOf(VaultException.class)
        .hasMessage("DEK wrapped under KEK 'k1' cannot be unwrapped: wrong key or corrupted record");
  }

  @Test
  void missingKekIsNamed() {
    vault.putSecret("t1", null, "openai", OPENAI_KEY);
    Vault onlyK2 = VaultFixtures.vault(store, KekRing.of(K2));

    assertThatThrownBy(() -> onlyK2.resolve("t1", null, "openai"))
        .isInstanceOf(VaultException.class)
        .hasMessage("KEK 'k1' is not configured (configured: [k2])");
  }

  @Test
  void dekRotationReencryptsEverySecretAndDropsTheOldDek() {
    vault.putSecret("t1", null, "openai", OPENAI_KEY);
    vault.putSecret("t1", "proj-1", "anthropic", "sk-ant-0000111122223333");
    SecretRecord before = store.secret("t1", "", "openai").orElseThrow().record();

    DekRotationResult result = vault.rotateDek("t1");

    assertThat(result).isEqualTo(new DekRotationResult("t1", 2, 2));
    assertThat(store.deks("t1")).singleElement().satisfies(dek -> {
      assertThat(dek.dekVersion()).isEqualTo(2);
      assertThat(dek.encryptionCount()).isEqualTo(2);
    });
    SecretRecord after = store.secret("t1", "", "openai").orElseThrow().record();
    assertThat(after.dekVersion()).isEqualTo(2);
    assertThat(after).isNotEqualTo(before);
    assertThat(vault.resolve("t1", null, "openai")).map(SecretValue::reveal).contains(OPENAI_KEY);
    assertThat(vault.resolve("t1", "proj-1", "anthropic")).map(SecretValue::reveal)
        .contains("sk-ant-0000111122223333");
  }

  @Test
  void interruptedDekRotationFinishesOnReRun() {
    for (int i = 0; i < 4; i++) {
      vault.putSecret("t1", null, "s" + i, OPENAI_KEY + i);
    }
    FailingStore failing = new FailingStore(store, 4); // new DEK + reservation, then two secrets
    Vault rotating = VaultFixtures.vault(failing, KekRing.of(K1));

    assertThatThrownBy(() -> rotating.rotateDek("t1")).isInstanceOf(IllegalStateException.class);
    failing.failAfterPuts = Integer.MAX_VALUE;
    DekRotationResult rerun = rotating.rotateDek("t1");

    assertThat(rerun.newDekVersion()).isEqualTo(3);
    assertThat(store.deks("t1")).extracting(TenantDekRecord::dekVersion).containsExactly(3);
    for (int i = 0; i < 4; i++) {
      assertThat(vault.resolve("t1", null, "s" + i)).map(SecretValue::reveal).contains(OPENAI_KEY + i);
    }
  }

  @Test
  void dekIsRotatedBeforeItsEncryptionBudgetRunsOut() {
    Vault small = new Vault(store, KekRing.of(K1), new SecureRandom(), CLOCK, 3);
    for (int i = 0; i < 3; i++) {
      small.putSecret("t1", null, "a", OPENAI_KEY + i);
    }
    assertThat(store.deks("t1")).singleElement().extracting(TenantDekRecord::encryptionCount).isEqualTo(3L);

    small.putSecret("t1", null, "a", OPENAI_KEY + "last");

    // DEK v1 was spent: v2 re-sealed the one secret (1) and then sealed the new value (2).
    assertThat(store.deks("t1")).singleElement().satisfies(dek -> {
      assertThat(dek.dekVersion()).isEqualTo(2);
      assertThat(dek.encryptionCount()).isEqualTo(2);
    });
    assertThat(small.resolve("t1", null, "a")).map(SecretValue::reveal).contains(OPENAI_KEY + "last");
  }

  @Test
  void encryptionBudgetIsNeverExceededOverManyReplacements() {
    Vault small = new Vault(store, KekRing.of(K1), new SecureRandom(), CLOCK, 10);
    for (int i = 0; i < 25; i++) {
      small.putSecret("t1", null, "a", OPENAI_KEY + i);
      assertThat(store.deks("t1")).allSatisfy(dek -> assertThat(dek.encryptionCount()).isLessThanOrEqualTo(10));
    }

    assertThat(small.resolve("t1", null, "a")).map(SecretValue::reveal).contains(OPENAI_KEY + 24);
  }

  @Test
  void refusesAWriteThatEvenAFreshDekCouldNotHold() {
    Vault tiny = new Vault(store, KekRing.of(K1), new SecureRandom(), CLOCK, 2);
    tiny.putSecret("t1", null, "a", OPENAI_KEY);
    tiny.putSecret("t1", null, "b", OPENAI_KEY);

    assertThatThrownBy(() -> tiny.putSecret("t1", null, "c", OPENAI_KEY))
        .isInstanceOf(VaultException.class)
        .hasMessage("tenant 't1' DEK v2: 1 more encryptions would exceed maxEncryptionsPerDek 2");
    assertThat(tiny.resolve("t1", null, "b")).map(SecretValue::reveal).contains(OPENAI_KEY);
  }

  @Test
  void concurrentWritersAndReadersOfOneTenantSeeConsistentValues() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int writer = w;
        futures.add(pool.submit(() -> {
          for (int i = 0; i < 50; i++) {
            vault.putSecret("t1", null, "key-" + writer, "sk-value-" + writer + "-" + i);
            Optional<SecretValue> read = vault.resolve("t1", null, "key-" + writer);
            assertThat(read).map(SecretValue::reveal).contains("sk-value-" + writer + "-" + i);
            if (i % 20 == 0) {
              vault.rotateDek("t1");
            }
          }
        }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (int w = 0; w < 4; w++) {
      assertThat(vault.resolve("t1", null, "key-" + w)).map(SecretValue::reveal).contains("sk-value-" + w + "-49");
    }
  }

  @Test
  void rejectsMalformedIdsNamingTheField() {
    assertThatThrownBy(() -> vault.putSecret("t 1", null, "openai", OPENAI_KEY))
        .hasMessage("tenantId: 't 1' (expected: 1-128 of [A-Za-z0-9._:-])");
    assertThatThrownBy(() -> vault.resolve("t1", "p/1", "openai"))
        .hasMessage("projectId: 'p/1' (expected: 1-128 of [A-Za-z0-9._:-])");
  }

  /** Delegates to a real store and throws on the (n+1)-th putDek/putSecret, to simulate a crash mid-way. */
  static final class FailingStore implements VaultStore {
    private final VaultStore delegate;
    volatile int failAfterPuts;
    private int puts;

    FailingStore(VaultStore delegate, int failAfterPuts) {
      this.delegate = delegate;
      this.failAfterPuts = failAfterPuts;
    }

    private synchronized void countPut() {
      if (puts++ >= failAfterPuts) {
        throw new IllegalStateException("store went away");
      }
    }

    @Override
    public List<TenantDekRecord> deks(String tenantId) {
      return delegate.deks(tenantId);
    }

    @Override
    public List<String> tenantsWithDeks() {
      return delegate.tenantsWithDeks();
    }

    @Override
    public void putDek(TenantDekRecord dek) {
      countPut();
      delegate.putDek(dek);
    }

    @Override
    public void deleteDek(String tenantId, int dekVersion) {
      delegate.deleteDek(tenantId, dekVersion);
    }

    @Override
    public Optional<StoredSecret> secret(String tenantId, String projectId, String name) {
      return delegate.secret(tenantId, projectId, name);
    }

    @Override
    public List<StoredSecret> secrets(String tenantId) {
      return delegate.secrets(tenantId);
    }

    @Override
    public void putSecret(StoredSecret secret) {
      countPut();
      delegate.putSecret(secret);
    }

    @Override
    public boolean deleteSecret(String tenantId, String projectId, String name) {
      return delegate.deleteSecret(tenantId, projectId, name);
    }
  }
}
