package dev.tollgate.core.vault;

import static dev.tollgate.core.vault.VaultFixtures.bytes;
import static dev.tollgate.core.vault.VaultFixtures.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.engines.RFC5649WrapEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

/**
 * Known-answer tests: fixed KEK, DEK and nonce give exact bytes, cross-checked against Bouncy Castle's
 * independent AES-GCM and RFC 5649 implementations, and a stored vector still decrypts.
 */
class SecretRecordTest {

  private static final Kek KEK = Kek.of("k1", bytes(0x00, 32));
  private static final byte[] DEK = bytes(0x20, 32);
  private static final byte[] NONCE = bytes(0x40, 12);
  private static final SecretContext CONTEXT = new SecretContext("tenant-a", "", "openai");
  private static final byte[] PLAINTEXT = "sk-test-0123456789".getBytes(StandardCharsets.UTF_8);

  static final String EXPECTED_WRAPPED_DEK_HEX =
      "92f48c52045c08050ec796a5a91c5ddaf7c61cbdc940adc8d3dc8a144f6161a8c5d3299e325f1750";
  static final String EXPECTED_AAD_HEX =
      "00000015" + "746f6c6c676174652e7661756c742e736563726574" // lp("tollgate.vault.secret")
          + "01" // format version
          + "00000008" + "74656e616e742d61" // lp("tenant-a")
          + "00000000" // lp("") tenant-wide
          + "00000006" + "6f70656e6169" // lp("openai")
          + "00000001"; // dekVersion 1
  static final String EXPECTED_RECORD_BASE64 =
      "AQAAAAFAQUJDREVGR0hJSkuxP5D1NQWxJmIDYhuxf2dFK7fgg3R2FibqNEtuNzS1hlPp";

  @Test
  void aadIsTheDocumentedLengthPrefixedContext() {
    assertThat(HexFormat.of().formatHex(CONTEXT.aad(1))).isEqualTo(EXPECTED_AAD_HEX);
  }

  @Test
  void wrappedDekMatchesTheKnownAnswerAndBouncyCastle() throws Exception {
    WrappedDek wrapped = DekWrapper.wrap(KEK, DEK);

    RFC5649WrapEngine bc = new RFC5649WrapEngine(AESEngine.newInstance());
    bc.init(true, new KeyParameter(bytes(0x00, 32)));
    assertThat(wrapped.bytes()).hasSize(40).isEqualTo(bc.wrap(DEK, 0, DEK.length));
    assertThat(HexFormat.of().formatHex(wrapped.bytes())).isEqualTo(EXPECTED_WRAPPED_DEK_HEX);
  }

  @Test
  void recordMatchesTheKnownAnswerAndBouncyCastle() throws Exception {
    SecretRecord record = new SecretCipher(NONCE::clone).encrypt(DEK, 1, CONTEXT, PLAINTEXT);

    GCMModeCipher bc = GCMBlockCipher.newInstance(AESEngine.newInstance());
    bc.init(true, new AEADParameters(new KeyParameter(DEK), 128, NONCE, CONTEXT.aad(1)));
    byte[] expectedCiphertext = new byte[bc.getOutputSize(PLAINTEXT.length)];
    int n = bc.processBytes(PLAINTEXT, 0, PLAINTEXT.length, expectedCiphertext, 0);
    bc.doFinal(expectedCiphertext, n);

    byte[] bytes = record.toBytes();
    assertThat(bytes[0]).isEqualTo((byte) 1);
    assertThat(bytes).startsWith(hex("01" + "00000001" + "404142434445464748494a4b"));
    assertThat(record.ciphertextWithTag()).isEqualTo(expectedCiphertext);
    assertThat(bytes).hasSize(1 + 4 + 12 + PLAINTEXT.length + 16);
    assertThat(record.toBase64()).isEqualTo(EXPECTED_RECORD_BASE64);
  }

  @Test
  void storedVectorStillDecrypts() {
    WrappedDek stored = new WrappedDek("k1", hex(EXPECTED_WRAPPED_DEK_HEX));
    byte[] dek = DekWrapper.unwrap(KEK, stored);

    byte[] plaintext = new SecretCipher(NONCE::clone)
        .decrypt(dek, CONTEXT, SecretRecord.fromBase64(EXPECTED_RECORD_BASE64));

    assertThat(new String(plaintext, StandardCharsets.UTF_8)).isEqualTo("sk-test-0123456789");
  }

  @Test
  void parseRoundTripsTheBytes() {
    SecretRecord record = new SecretCipher(NONCE::clone).encrypt(DEK, 7, CONTEXT, PLAINTEXT);

    SecretRecord parsed = SecretRecord.parse(record.toBytes());

    assertThat(parsed).isEqualTo(record);
    assertThat(parsed.dekVersion()).isEqualTo(7);
    assertThat(parsed.nonce()).isEqualTo(NONCE);
  }

  @Test
  void rejectsATruncatedRecord() {
    assertThatThrownBy(() -> SecretRecord.parse(new byte[32]))
        .isInstanceOf(VaultException.class)
        .hasMessage("secret record: 32 bytes (expected: >= 33)");
  }

  @Test
  void rejectsAnUnknownFormatVersion() {
    byte[] bytes = new SecretCipher(NONCE::clone).encrypt(DEK, 1, CONTEXT, PLAINTEXT).toBytes();
    bytes[0] = 2;

    assertThatThrownBy(() -> SecretRecord.parse(bytes))
        .isInstanceOf(VaultException.class)
        .hasMessage("secret record: format version 2 (expected: 1)");
  }

  @Test
  void rejectsInvalidBase64WithoutQuotingIt() {
    assertThatThrownBy(() -> SecretRecord.fromBase64("not*base64"))
        .isInstanceOf(VaultException.class)
        .hasMessage("secret record: not valid base64");
  }
}
