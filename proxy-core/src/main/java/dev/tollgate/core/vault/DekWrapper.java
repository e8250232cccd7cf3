package dev.tollgate.core.vault;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * Generates 256-bit DEKs and wraps/unwraps them with {@code AES/KWP/NoPadding} (RFC 5649, SunJCE). The
 * wrap binds nothing but the KEK; a wrong KEK or a flipped bit fails the RFC 5649 integrity check.
 */
final class DekWrapper {

  static final int DEK_BYTES = 32;
  private static final String TRANSFORMATION = "AES/KWP/NoPadding";

  private DekWrapper() {}

  static byte[] newDek(SecureRandom random) {
    byte[] dek = new byte[DEK_BYTES];
    random.nextBytes(dek);
    return dek;
  }

  static WrappedDek wrap(Kek kek, byte[] dek) {
    if (dek.length != DEK_BYTES) {
      throw new IllegalArgumentException("dek: " + dek.length + " bytes (expected: " + DEK_BYTES + ")");
    }
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.WRAP_MODE, kek.secretKey());
      return new WrappedDek(kek.id(), cipher.wrap(new SecretKeySpec(dek, "AES")));
    } catch (GeneralSecurityException e) {
      throw new VaultException("cannot wrap DEK under KEK '" + kek.id() + "'", e);
    }
  }

  /** Unwraps {@code wrapped} with {@code kek}; the caller wipes the returned array. */
  static byte[] unwrap(Kek kek, WrappedDek wrapped) {
    if (!kek.id().equals(wrapped.kekId())) {
      throw new IllegalArgumentException(
          "kek: '" + kek.id() + "' (expected: '" + wrapped.kekId() + "', the wrapping KEK)");
    }
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.UNWRAP_MODE, kek.secretKey());
      Key key = cipher.unwrap(wrapped.bytes(), "AES", Cipher.SECRET_KEY);
      byte[] dek = key.getEncoded();
      if (dek == null || dek.length != DEK_BYTES) {
        if (dek != null) {
          Arrays.fill(dek, (byte) 0);
        }
        throw new VaultException(unwrapFailure(wrapped.kekId()));
      }
      return dek;
    } catch (GeneralSecurityException e) {
      throw new VaultException(unwrapFailure(wrapped.kekId()), e);
    }
  }

  private static String unwrapFailure(String kekId) {
    return "DEK wrapped under KEK '" + kekId + "' cannot be unwrapped: wrong key or corrupted record";
  }
}
