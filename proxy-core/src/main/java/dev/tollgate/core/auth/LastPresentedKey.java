package dev.tollgate.core.auth;

/**
 * One connection's last presented {@code tg_} key and its {@link KeyDigest}. An SDK sends the same key
 * on every request of a keep-alive connection, so the key is compared with the last one instead of being
 * hashed again: a comparison of some fifty characters against a SHA-256. Only the digest is reused;
 * every request still looks it up in the key cache, so a revocation takes effect as before.
 *
 * <p>The comparison takes the same time wherever the keys differ: the last key was presented on this
 * connection, but a proxy in front of the gateway may carry several callers' requests on one connection.
 * One per channel, used on its event loop.
 */
final class LastPresentedKey {

  private String value;
  private int start;
  private int end;
  private KeyDigest digest;

  /** The digest remembered for the key at {@code start} to {@code end} of {@code text}, or null if it is another key. */
  KeyDigest digestIfSame(String text, int start, int end) {
    String last = value;
    int length = end - start;
    if (last == null || this.end - this.start != length) {
      return null;
    }
    int difference = 0;
    for (int i = 0; i < length; i++) {
      difference |= last.charAt(this.start + i) ^ text.charAt(start + i);
    }
    return difference == 0 ? digest : null;
  }

  /** Remembers the digest of the key at {@code start} to {@code end} of {@code text}. */
  void remember(String text, int start, int end, KeyDigest digest) {
    this.value = text;
    this.start = start;
    this.end = end;
    this.digest = digest;
  }
}
