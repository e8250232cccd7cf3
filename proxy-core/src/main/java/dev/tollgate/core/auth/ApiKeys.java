package dev.tollgate.core.auth;

import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The Tollgate API key format: {@code tg_} followed by 40 random base62 characters (about 238 bits).
 * Keys are shown once; the store keeps only their SHA-256 (a fast hash is right for high-entropy
 * secrets) and a short lookup prefix.
 */
public final class ApiKeys {

  public static final String PREFIX = "tg_";
  static final int RANDOM_CHARS = 40;
  private static final int LOOKUP_PREFIX_CHARS = 8;
  private static final char[] BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final HexFormat HEX = HexFormat.of();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final FastThreadLocal<MessageDigest> SHA256 = new FastThreadLocal<>() {
    @Override
    protected MessageDigest initialValue() throws NoSuchAlgorithmException {
      return MessageDigest.getInstance("SHA-256");
    }
  };

  private ApiKeys() {
  }

  /** A new random key. The caller shows it once and stores only {@link #hash} and {@link #lookupPrefix}. */
  public static String generate() {
    return PREFIX + randomBase62(RANDOM_CHARS);
  }

  /** A random public id such as {@code key_3fA9...}, safe to show and log. */
  public static String newId(String prefix) {
    return prefix + randomBase62(16);
  }

  /** True when {@code presented} has the shape of a Tollgate key (checked before any lookup). */
  public static boolean looksValid(String presented) {
    return presented != null && looksValid(presented, 0, presented.length());
  }

  /** As {@link #looksValid(String)}, for the key at {@code start} (inclusive) to {@code end} of {@code text}. */
  static boolean looksValid(String text, int start, int end) {
    if (end - start != PREFIX.length() + RANDOM_CHARS || !text.startsWith(PREFIX, start)) {
      return false;
    }
    for (int i = start + PREFIX.length(); i < end; i++) {
      char c = text.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) {
        return false;
      }
    }
    return true;
  }

  /** The first characters after {@code tg_}, stored in clear to find the row and shown in listings. */
  public static String lookupPrefix(String key) {
    return key.substring(PREFIX.length(), PREFIX.length() + LOOKUP_PREFIX_CHARS);
  }

  /** Hex SHA-256 of the key. */
  public static String hash(String key) {
    MessageDigest digest = SHA256.get();
    byte[] out = digest.digest(key.getBytes(StandardCharsets.US_ASCII));
    return HEX.formatHex(out); // lower case; builds the string without an intermediate char[]
  }

  private static String randomBase62(int length) {
    char[] out = new char[length];
    for (int i = 0; i < length; i++) {
      out[i] = BASE62[RANDOM.nextInt(BASE62.length)];
    }
    return new String(out);
  }
}
