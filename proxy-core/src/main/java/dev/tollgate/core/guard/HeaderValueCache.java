package dev.tollgate.core.guard;

import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.internal.PlatformDependent;

/**
 * Header values as our own HTTP/1.1 decoder reads them, kept per event-loop thread so that the values
 * messages repeat ({@code application/json}, {@code chunked}, a provider's API version, …) are made
 * once rather than once per message. A table of pairs of slots: a value's hash picks a pair, and a
 * value is used only if it spells the bytes read. A value read anew takes the pair's first slot and
 * moves the one there to the second, so two values that share a pair and come in turn (a provider's
 * request id and its processing time, say) both stay; a miss costs no more than the string itself. The caller decides what may be kept (never credentials or cookies); long values are not kept,
 * so the table stays small whatever a peer sends. Values are Latin-1, one char per byte, as Netty's decoders make them.
 */
public final class HeaderValueCache {

  private static final int SLOTS = 256; // a power of two: 128 pairs
  private static final int LONGEST_KEPT = 64;

  private static final FastThreadLocal<String[]> TABLE = new FastThreadLocal<>() {
    @Override
    protected String[] initialValue() {
      return new String[SLOTS];
    }
  };

  private HeaderValueCache() {
  }

  /** The value in {@code bytes[start, start + length)}: the kept string if it spells them, else a new one. */
  public static String value(byte[] bytes, int start, int length) {
    return value(TABLE.get(), bytes, start, length);
  }

  /** This thread's table, for a decoder to look up all the values of a head in. */
  static String[] table() {
    return TABLE.get();
  }

  /** {@link #value(byte[], int, int)} in {@code table}, this thread's. */
  static String value(String[] table, byte[] bytes, int start, int length) {
    if (length == 0) {
      return "";
    }
    if (length > LONGEST_KEPT) {
      return latin1(bytes, start, length);
    }
    int hash = PlatformDependent.hashCodeAscii(bytes, start, length);
    int first = (hash ^ hash >>> 8) & (SLOTS - 2);
    String kept = table[first];
    if (kept != null && spells(kept, bytes, start, length)) {
      return kept;
    }
    String second = table[first + 1];
    if (second != null && spells(second, bytes, start, length)) {
      return second;
    }
    // a value that changes with every message (a date, a request id) makes nothing more than the string
    // Netty's decoder would have made
    String made = latin1(bytes, start, length);
    table[first + 1] = kept;
    table[first] = made;
    return made;
  }

  private static boolean spells(String kept, byte[] bytes, int start, int length) {
    if (kept.length() != length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (kept.charAt(i) != (bytes[start + i] & 0xff)) {
        return false;
      }
    }
    return true;
  }

  /** A new string of the bytes, one char per byte. */
  @SuppressWarnings("deprecation") // the Latin-1 constructor: a plain copy, no decoder
  public static String latin1(byte[] bytes, int start, int length) {
    return new String(bytes, 0, start, length);
  }
}
