package dev.tollgate.core.auth;

import io.netty.util.concurrent.FastThreadLocal;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 of an API key as four longs: the key cache's lookup key. A key presented with a request
 * is hashed here without intermediate objects (its ASCII characters and the digest go through arrays
 * kept per thread), where {@link ApiKeys#hash} makes the byte array, the digest array and the 64-character
 * hex string the store keeps. {@link #hex} gives that string when the store is asked.
 */
record KeyDigest(long w0, long w1, long w2, long w3) {

  private static final HexFormat HEX = HexFormat.of();
  private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final int DIGEST_BYTES = 32;

  /** Per thread: the digest, the key's bytes and the digest's bytes. */
  private static final FastThreadLocal<Scratch> SCRATCH = new FastThreadLocal<>() {
    @Override
    protected Scratch initialValue() throws NoSuchAlgorithmException {
      return new Scratch(MessageDigest.getInstance("SHA-256"));
    }
  };

  private static final class Scratch {
    final MessageDigest sha256;
    byte[] text = new byte[64];
    final byte[] digest = new byte[DIGEST_BYTES];

    Scratch(MessageDigest sha256) {
      this.sha256 = sha256;
    }
  }

  /** The digest of {@code key}, whose characters must all be ASCII (as {@link ApiKeys#looksValid} checks). */
  static KeyDigest of(String key) {
    return of(key, 0, key.length());
  }

  /** The digest of the key at {@code start} (inclusive) to {@code end} of {@code value}, as {@link #of(String)}. */
  static KeyDigest of(String value, int start, int end) {
    Scratch scratch = SCRATCH.get();
    int length = end - start;
    if (scratch.text.length < length) {
      scratch.text = new byte[length];
    }
    byte[] text = scratch.text;
    for (int i = 0; i < length; i++) {
      text[i] = (byte) value.charAt(start + i);
    }
    try {
      scratch.sha256.update(text, 0, length);
      scratch.sha256.digest(scratch.digest, 0, DIGEST_BYTES);
    } catch (DigestException e) {
      throw new IllegalStateException(e); // 32 bytes is SHA-256's length: cannot happen
    }
    return of(scratch.digest);
  }

  /** The digest whose hex form (as {@link ApiKeys#hash} writes it) is {@code hex}, or null if it is none. */
  static KeyDigest ofHex(String hex) {
    if (hex == null || hex.length() != 2 * DIGEST_BYTES) {
      return null;
    }
    try {
      return of(HEX.parseHex(hex));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static KeyDigest of(byte[] digest) {
    return new KeyDigest((long) WORDS.get(digest, 0), (long) WORDS.get(digest, 8),
        (long) WORDS.get(digest, 16), (long) WORDS.get(digest, 24));
  }

  // written out: a record's generated equals and hashCode go through method handles that the JIT does
  // not always inline, and the key cache calls both on every request
  @Override
  public boolean equals(Object o) {
    return o instanceof KeyDigest k && w0 == k.w0 && w1 == k.w1 && w2 == k.w2 && w3 == k.w3;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(w0); // the first eight bytes of a SHA-256 are as well spread as any
  }

  /** The lower-case hex form the store keeps, as {@link ApiKeys#hash} writes it. */
  String hex() {
    return HEX.toHexDigits(w0) + HEX.toHexDigits(w1) + HEX.toHexDigits(w2) + HEX.toHexDigits(w3);
  }
}
