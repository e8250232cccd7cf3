package dev.tollgate.core.vault;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * A key-encryption key: an operator-chosen id and 256 bits of AES key material that wraps tenant DEKs.
 * Immutable and thread-safe; {@link #toString()} shows the id only, and validation errors name the id,
 * never the material.
 */
public final class Kek {

  /** Key length in bytes (AES-256). */
  public static final int KEY_BYTES = 32;

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final String id;
  private final byte[] key;

  private Kek(String id, byte[] key) {
    this.id = id;
    this.key = key;
  }

  /** A KEK from raw key bytes (copied). */
  public static Kek of(String id, byte[] key) {
    validateId(id);
    Objects.requireNonNull(key, "key");
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException(
          "KEK '" + id + "': key is " + key.length + " bytes (expected: " + KEY_BYTES + ")");
    }
    return new Kek(id, key.clone());
  }

  /** A KEK from standard base64 text (surrounding whitespace ignored), as found in an environment variable. */
  public static Kek fromBase64(String id, String base64) {
    validateId(id);
    Objects.requireNonNull(base64, "base64");
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(base64.strip());
    } catch (IllegalArgumentException e) {
      // The decoder's message quotes the offending character, so it is not chained.
      throw new IllegalArgumentException("KEK '" + id + "': value is not valid base64");
    }
    try {
      return of(id, decoded);
    } finally {
      Arrays.fill(decoded, (byte) 0);
    }
  }

  /** A KEK from a file holding its base64 text (for example a mounted secret). */
  public static Kek fromFile(String id, Path path) {
    validateId(id);
    Objects.requireNonNull(path, "path");
    byte[] content;
    try {
      content = Files.readAllBytes(path);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "KEK '" + id + "': cannot read key file " + path + " (" + e.getClass().getSimpleName() + ")");
    }
    try {
      return fromBase64(id, new String(content, StandardCharsets.US_ASCII));
    } finally {
      Arrays.fill(content, (byte) 0);
    }
  }

  public String id() {
    return id;
  }

  SecretKey secretKey() {
    return new SecretKeySpec(key, "AES");
  }

  @Override
  public String toString() {
    return "Kek[id=" + id + "]";
  }

  private static void validateId(String id) {
    Objects.requireNonNull(id, "id");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("KEK id: '" + id + "' (expected: 1-64 of [A-Za-z0-9._-])");
    }
  }
}
