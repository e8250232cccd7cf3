package dev.tollgate.core.vault;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.function.Supplier;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals and opens secrets with AES-256-GCM (JDK {@code AES/GCM/NoPadding}): a fresh random 96-bit nonce
 * per encryption, a 128-bit tag, and the AAD of {@link SecretContext}. A new {@link Cipher} per operation,
 * so one instance is safe to share between threads.
 */
final class SecretCipher {

  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final int TAG_BITS = SecretRecord.TAG_BYTES * 8;

  private final Supplier<byte[]> nonces;

  SecretCipher(SecureRandom random) {
    this(() -> {
      byte[] nonce = new byte[SecretRecord.NONCE_BYTES];
      random.nextBytes(nonce);
      return nonce;
    });
  }

  /** For known-answer tests only: the supplier must never repeat a nonce under one DEK. */
  SecretCipher(Supplier<byte[]> nonces) {
    this.nonces = nonces;
  }

  SecretRecord encrypt(byte[] dek, int dekVersion, SecretContext context, byte[] plaintext) {
    byte[] nonce = nonces.get();
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(dek, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(context.aad(dekVersion));
      return new SecretRecord(dekVersion, nonce, cipher.doFinal(plaintext));
    } catch (GeneralSecurityException e) {
      throw new VaultException("cannot encrypt " + context.describe(), e);
    }
  }

  /** Opens {@code record}; the caller wipes the returned plaintext. */
  byte[] decrypt(byte[] dek, SecretContext context, SecretRecord record) {
    byte[] ciphertext = record.ciphertextWithTag();
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(
          Cipher.DECRYPT_MODE, new SecretKeySpec(dek, "AES"), new GCMParameterSpec(TAG_BITS, record.nonce()));
      cipher.updateAAD(context.aad(record.dekVersion()));
      return cipher.doFinal(ciphertext);
    } catch (AEADBadTagException e) {
      throw new VaultException(
          context.describe() + " does not decrypt: record moved, corrupted or sealed under another DEK", e);
    } catch (GeneralSecurityException e) {
      throw new VaultException("cannot decrypt " + context.describe(), e);
    } finally {
      Arrays.fill(ciphertext, (byte) 0);
    }
  }
}
