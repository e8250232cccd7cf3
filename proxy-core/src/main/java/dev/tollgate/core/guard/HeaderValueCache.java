package dev.tollgate.core.guard;

import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.internal.PlatformDependent;
import java.util.Arrays;

/**
 * Header values as our own HTTP/1.1 decoder reads them, kept per event-loop thread so that the values
 * messages repeat ({@code application/json}, {@code chunked}, a provider's API version, …) are made
 * once rather than once per message. A direct-mapped table like {@link HeaderNameCache}: a value is
 * found by its bytes' hash and used only if its bytes are equal. The caller decides what may be kept
 * (never credentials or cookies); long values are not kept, so the table stays small whatever a peer
 * sends. Values are Latin-1, one char per byte, as Netty's decoders make them.
 */
public final class HeaderValueCache {

  private static final int SLOTS = 256; // a power of two
  private static final int LONGEST_KEPT = 64;

  /** One thread's table: each slot's bytes and the string made of them. */
  private static final class Table {
    final byte[][] bytes = new byte[SLOTS][];
    final String[] strings = new String[SLOTS];
  }

  private static final FastThreadLocal<Table> TABLE = new FastThreadLocal<>() {
    @Override
    protected Table initialValue() {
      return new Table();
    }
  };

  private HeaderValueCache() {
  }

  /** The value in {@code bytes[start, start + length)}: the kept string if its bytes are equal, else a new one. */
  public static String value(byte[] bytes, int start, int length) {
    if (length == 0) {
      return "";
    }
    if (length > LONGEST_KEPT) {
      return latin1(bytes, start, length);
    }
    int hash = PlatformDependent.hashCodeAscii(bytes, start, length);
    int slot = (hash ^ hash >>> 8) & (SLOTS - 1);
    Table table = TABLE.get();
    byte[] kept = table.bytes[slot];
    if (kept != null && Arrays.equals(kept, 0, kept.length, bytes, start, start + length)) {
      return table.strings[slot];
    }
    String made = latin1(bytes, start, length);
    table.bytes[slot] = Arrays.copyOfRange(bytes, start, start + length);
    table.strings[slot] = made;
    return made;
  }

  /** A new string of the bytes, one char per byte. */
  @SuppressWarnings("deprecation") // the Latin-1 constructor: a plain copy, no decoder
  public static String latin1(byte[] bytes, int start, int length) {
    return new String(bytes, 0, start, length);
  }
}
