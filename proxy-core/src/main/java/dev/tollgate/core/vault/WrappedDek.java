package dev.tollgate.core.vault;

import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * A DEK wrapped with AES-KWP (RFC 5649) under the named KEK: 40 bytes for a 256-bit DEK. Safe to store and
 * to print; without the KEK it reveals nothing.
 */
public final class WrappedDek {

  private final String kekId;
  private final byte[] bytes;

  public WrappedDek(String kekId, byte[] bytes) {
    this.kekId = Objects.requireNonNull(kekId, "kekId");
    this.bytes = Objects.requireNonNull(bytes, "bytes").clone();
  }

  public String kekId() {
    return kekId;
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  public String toBase64() {
    return Base64.getEncoder().encodeToString(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WrappedDek other && kekId.equals(other.kekId) && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return 31 * kekId.hashCode() + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "WrappedDek[kekId=" + kekId + ", " + bytes.length + " bytes]";
  }
}
