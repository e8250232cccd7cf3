package dev.tollgate.core.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Scans every toString and exception message the vault produces for plaintext and key material. */
class SecretLeakTest {

  private static final String SECRET = "sk-live-THISMUSTNEVERLEAK-7f3a";
  private static final byte[] KEK_MATERIAL = VaultFixtures.bytes(0x10, 32);

  private final InMemoryVaultStore store = new InMemoryVaultStore();
  private final List<String> seen = new ArrayList<>();

  @Test
  void noToStringOrErrorMessageContainsASecretOrKeyMaterial() {
    Kek kek = Kek.of("k1", KEK_MATERIAL);
    KekRing ring = KekRing.of(kek);
    Vault vault = VaultFixtures.vault(store, ring);
    SecretMetadata metadata = vault.putSecret("t1", null, "openai", SECRET);
    TenantDekRecord dekRecord = store.deks("t1").get(0);
    byte[] dek = DekWrapper.unwrap(kek, dekRecord.wrappedDek());
    StoredSecret row = store.secret("t1", "", "openai").orElseThrow();

    seen.add(kek.toString());
    seen.add(ring.toString());
    seen.add(dekRecord.toString());
    seen.add(dekRecord.wrappedDek().toString());
    seen.add(row.toString());
    seen.add(row.record().toString());
    seen.add(metadata.toString());
    seen.add(vault.listSecrets("t1").toString());
    seen.add(vault.resolve("t1", null, "openai").orElseThrow().toString());
    seen.add(vault.toString());

    String kekBase64 = Base64.getEncoder().encodeToString(KEK_MATERIAL);
    messagesOf(() -> Kek.fromBase64("k1", kekBase64 + "!"));
    messagesOf(() -> Kek.fromBase64("k1", kekBase64.substring(0, 40)));
    messagesOf(() -> Kek.of("k1", new byte[31]));
    messagesOf(() -> VaultFixtures.vault(store, KekRing.of(VaultFixtures.kek("k1", 0x66)))
        .resolve("t1", null, "openai"));
    messagesOf(() -> VaultFixtures.vault(store, KekRing.of(VaultFixtures.kek("k9", 0x66)))
        .resolve("t1", null, "openai"));
    store.putSecret(new StoredSecret("t1", "", "moved", row.record(), row.createdAt(), row.rotatedAt()));
    messagesOf(() -> vault.resolve("t1", null, "moved"));
    messagesOf(() -> SecretRecord.fromBase64(SECRET));

    assertThat(seen).hasSizeGreaterThan(15);
    HexFormat hex = HexFormat.of();
    List<String> forbidden = List.of(
        SECRET,
        SECRET.substring(0, 12),
        kekBase64,
        hex.formatHex(KEK_MATERIAL),
        Base64.getEncoder().encodeToString(dek),
        hex.formatHex(dek));
    for (String text : seen) {
      for (String bad : forbidden) {
        assertThat(text).doesNotContainIgnoringCase(bad);
      }
    }
    assertThat(vault.resolve("t1", null, "openai").orElseThrow()).hasToString("[redacted]");
  }

  /** Runs the action, expects it to throw, and records the message of every exception in the cause chain. */
  private void messagesOf(Supplier<?> action) {
    try {
      action.get();
    } catch (RuntimeException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        seen.add(String.valueOf(t.getMessage()));
        seen.add(t.toString());
      }
      return;
    }
    throw new AssertionError("expected the action to fail");
  }
}
