package dev.tollgate.core.vault;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A decrypted secret handed to the caller that must use it (for example the upstream forwarder setting the
 * provider's auth header). {@link #toString()} is {@code "[redacted]"}, so it cannot leak into a log line by
 * accident; call {@link #reveal()} at the point of use.
 */
public final class SecretValue {

  private final String value;

  SecretValue(String value) {
    this.value = Objects.requireNonNull(value, "value");
  }

  static SecretValue fromUtf8(byte[] plaintext) {
    return new SecretValue(new String(plaintext, StandardCharsets.UTF_8));
  }

  /** The plaintext; never log it. */
  public String reveal() {
    return value;
  }

  @Override
  public String toString() {
    return "[redacted]";
  }
}
