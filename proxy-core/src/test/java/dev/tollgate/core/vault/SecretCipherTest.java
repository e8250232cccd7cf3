package dev.tollgate.core.vault;

import static dev.tollgate.core.vault.VaultFixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.api.Test;

class SecretCipherTest {

  private static final byte[] DEK = bytes(0x20, 32);
  private static final byte[] PLAINTEXT = "sk-live-abcdefghijklmnop".getBytes(StandardCharsets.UTF_8);
  private static final SecretContext ORIGIN = new SecretContext("tenant-a", "proj-1", "openai");

  private final SecretCipher cipher = new SecretCipher(new SecureRandom());

  @Test
  void decryptsWhatItEncrypted() {
    SecretRecord record = cipher.encrypt(DEK, 1, ORIGIN, PLAINTEXT);

    assertThat(cipher.decrypt(DEK, ORIGIN, record)).isEqualTo(PLAINTEXT);
  }

  @Test
  void ciphertextMovedToAnotherTenantFailsToDecrypt() {
    assertMovedRecordFails(new SecretContext("tenant-b", "proj-1", "openai"));
  }

  @Test
  void ciphertextMovedToAnotherProjectFailsToDecrypt() {
    assertMovedRecordFails(new SecretContext("tenant-a", "proj-2", "openai"));
  }

  @Test
  void ciphertextMovedToTenantScopeFailsToDecrypt() {
    assertMovedRecordFails(new SecretContext("tenant-a", "", "openai"));
  }

  @Test
  void ciphertextMovedToAnotherNameFailsToDecrypt() {
    assertMovedRecordFails(new SecretContext("tenant-a", "proj-1", "anthropic"));
  }

  @Test
  void lengthPrefixesKeepShiftedFieldBoundariesApart() {
    // Without length prefixes "ab"+"c" and "a"+"bc" would give the same AAD.
    assertThat(new SecretContext("ab", "c", "n").aad(1)).isNotEqualTo(new SecretContext("a", "bc", "n").aad(1));
  }

  @Test
  void editedDekVersionFailsToDecrypt() {
    byte[] bytes = cipher.encrypt(DEK, 1, ORIGIN, PLAINTEXT).toBytes();
    bytes[4] = 2; // dekVersion 1 -> 2, same DEK: the AAD no longer matches

    assertThatThrownBy(() -> cipher.decrypt(DEK, ORIGIN, SecretRecord.parse(bytes)))
        .isInstanceOf(VaultException.class)
        .hasCauseInstanceOf(AEADBadTagException.class);
  }

  @Test
  void flippedCiphertextBitFailsToDecrypt() {
    byte[] bytes = cipher.encrypt(DEK, 1, ORIGIN, PLAINTEXT).toBytes();
    bytes[20] ^= 0x01;

    assertThatThrownBy(() -> cipher.decrypt(DEK, ORIGIN, SecretRecord.parse(bytes)))
        .isInstanceOf(VaultException.class)
        .hasCauseInstanceOf(AEADBadTagException.class);
  }

  @Test
  void anotherDekFailsToDecrypt() {
    SecretRecord record = cipher.encrypt(DEK, 1, ORIGIN, PLAINTEXT);

    assertThatThrownBy(() -> cipher.decrypt(bytes(0x60, 32), ORIGIN, record))
        .isInstanceOf(VaultException.class)
        .hasCauseInstanceOf(AEADBadTagException.class);
  }

  @Test
  void noNonceRepeatsOverOneHundredThousandEncryptions() {
    int encryptions = 100_000;
    Set<String> nonces = new HashSet<>(encryptions * 2);
    HexFormat hex = HexFormat.of();
    byte[] small = {1};

    for (int i = 0; i < encryptions; i++) {
      nonces.add(hex.formatHex(cipher.encrypt(DEK, 1, ORIGIN, small).nonce()));
    }

    assertThat(nonces).hasSize(encryptions);
  }

  private void assertMovedRecordFails(SecretContext elsewhere) {
    SecretRecord record = cipher.encrypt(DEK, 1, ORIGIN, PLAINTEXT);

    assertThatThrownBy(() -> cipher.decrypt(DEK, elsewhere, record))
        .isInstanceOf(VaultException.class)
        .hasMessage(elsewhere.describe()
            + " does not decrypt: record moved, corrupted or sealed under another DEK")
        .hasCauseInstanceOf(AEADBadTagException.class);
  }
}
