package dev.tollgate.core.guard;

import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.internal.PlatformDependent;
import java.util.Arrays;

/**
 * Header names as our HTTP/1.1 decoders read them, kept per event-loop thread so that the names every
 * request and response repeats ({@code Authorization}, {@code content-type}, a provider's
 * {@code x-request-id}, …) are made once rather than once per message: Netty's decoders copy each name
 * into a new {@link AsciiString}. A direct-mapped table: a name is found by its bytes' hash and kept
 * only if its bytes are equal, in the exact case read (a message is relayed with its own spelling);
 * a colliding name replaces the one in its slot. Long names are not kept, so the table stays small
 * whatever a client sends. The strings are never changed after they are made.
 */
public final class HeaderNameCache {

  private static final int SLOTS = 512; // a power of two
  private static final int LONGEST_KEPT = 48;

  private static final FastThreadLocal<AsciiString[]> TABLE = new FastThreadLocal<>() {
    @Override
    protected AsciiString[] initialValue() {
      return new AsciiString[SLOTS];
    }
  };

  private HeaderNameCache() {
  }

  /** The name in {@code bytes[start, start + length)}: the kept string if its bytes are equal, else a new one. */
  public static AsciiString name(byte[] bytes, int start, int length) {
    if (length > LONGEST_KEPT) {
      return new AsciiString(bytes, start, length, true);
    }
    int hash = PlatformDependent.hashCodeAscii(bytes, start, length); // eight bytes a step
    AsciiString[] table = TABLE.get();
    int slot = (hash ^ hash >>> 9) & (SLOTS - 1);
    AsciiString kept = table[slot];
    if (kept != null && kept.length() == length && Arrays.equals(kept.array(), kept.arrayOffset(),
        kept.arrayOffset() + length, bytes, start, start + length)) {
      return kept;
    }
    AsciiString made = new AsciiString(bytes, start, length, true);
    table[slot] = made;
    return made;
  }
}
