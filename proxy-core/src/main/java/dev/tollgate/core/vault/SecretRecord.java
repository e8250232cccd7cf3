package dev.tollgate.core.vault;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * One sealed secret as stored: format version, the tenant DEK version that sealed it, the GCM nonce and
 * the ciphertext with its tag. The AAD is not stored; {@link SecretCipher} rebuilds it from the row's
 * tenant, project and name. Immutable.
 *
 * <p>Byte layout, format version 1 (big-endian):
 *
 * <pre>
 * offset  size  field
 * 0       1     format version = 0x01
 * 1       4     dekVersion (unsigned 32-bit): which {@link TenantDekRecord} of the tenant sealed it
 * 5       12    nonce (96-bit, random per encryption)
 * 17      n+16  ciphertext (n = plaintext length) || 128-bit GCM tag
 * </pre>
 *
 * The KEK id is not repeated here: it lives once in the tenant's DEK record, so a KEK rotation rewraps one
 * DEK per tenant and never touches secret rows.
 */
public final class SecretRecord {

  public static final int FORMAT_VERSION = 1;
  public static final int NONCE_BYTES = 12;
  public static final int TAG_BYTES = 16;
  static final int HEADER_BYTES = 1 + 4 + NONCE_BYTES;
  static final int MIN_BYTES = HEADER_BYTES + TAG_BYTES;

  private final int dekVersion;
  private final byte[] nonce;
  private final byte[] ciphertextWithTag;

  SecretRecord(int dekVersion, byte[] nonce, byte[] ciphertextWithTag) {
    if (dekVersion < 1) {
      throw new IllegalArgumentException("dekVersion: " + dekVersion + " (expected: >= 1)");
    }
    if (nonce.length != NONCE_BYTES) {
      throw new IllegalArgumentException("nonce: " + nonce.length + " bytes (expected: " + NONCE_BYTES + ")");
    }
    if (ciphertextWithTag.length < TAG_BYTES) {
      throw new IllegalArgumentException(
          "ciphertextWithTag: " + ciphertextWithTag.length + " bytes (expected: >= " + TAG_BYTES + ")");
    }
    this.dekVersion = dekVersion;
    this.nonce = nonce.clone();
    this.ciphertextWithTag = ciphertextWithTag.clone();
  }

  /** Parses stored bytes; a malformed record fails with a {@link VaultException}. */
  public static SecretRecord parse(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length < MIN_BYTES) {
      throw new VaultException("secret record: " + bytes.length + " bytes (expected: >= " + MIN_BYTES + ")");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    int format = in.get() & 0xFF;
    if (format != FORMAT_VERSION) {
      throw new VaultException("secret record: format version " + format + " (expected: " + FORMAT_VERSION + ")");
    }
    int dekVersion = in.getInt();
    if (dekVersion < 1) {
      throw new VaultException("secret record: dekVersion " + Integer.toUnsignedString(dekVersion) + " (expected: 1..2^31-1)");
    }
    byte[] nonce = new byte[NONCE_BYTES];
    in.get(nonce);
    byte[] rest = new byte[in.remaining()];
    in.get(rest);
    return new SecretRecord(dekVersion, nonce, rest);
  }

  public static SecretRecord fromBase64(String base64) {
    Objects.requireNonNull(base64, "base64");
    try {
      return parse(Base64.getDecoder().decode(base64));
    } catch (IllegalArgumentException e) {
      throw new VaultException("secret record: not valid base64");
    }
  }

  public byte[] toBytes() {
    return ByteBuffer.allocate(HEADER_BYTES + ciphertextWithTag.length)
        .put((byte) FORMAT_VERSION)
        .putInt(dekVersion)
        .put(nonce)
        .put(ciphertextWithTag)
        .array();
  }

  public String toBase64() {
    return Base64.getEncoder().encodeToString(toBytes());
  }

  public int formatVersion() {
    return FORMAT_VERSION;
  }

  public int dekVersion() {
    return dekVersion;
  }

  public byte[] nonce() {
    return nonce.clone();
  }

  byte[] ciphertextWithTag() {
    return ciphertextWithTag.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretRecord other
        && dekVersion == other.dekVersion
        && Arrays.equals(nonce, other.nonce)
        && Arrays.equals(ciphertextWithTag, other.ciphertextWithTag);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * dekVersion + Arrays.hashCode(nonce)) + Arrays.hashCode(ciphertextWithTag);
  }

  @Override
  public String toString() {
    return "SecretRecord[v" + FORMAT_VERSION + ", dekVersion=" + dekVersion + ", "
        + (ciphertextWithTag.length - TAG_BYTES) + " ciphertext bytes]";
  }
}
