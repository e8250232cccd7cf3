package dev.tollgate.core.guard;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValidationUtil;
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
 * a colliding name replaces the one in its slot. Only valid names (tokens) are kept, so a kept name
 * needs no validation again ({@link #keeps}); long names are not kept, so the table stays small
 * whatever a client sends. The strings are never changed after they are made.
 */
public final class HeaderNameCache {

  private static final int SLOTS = 512; // a power of two
  private static final int LONGEST_KEPT = 48;

  /** The header of a key in the Anthropic style: a client's Tollgate key, or the provider's key upstream. */
  public static final AsciiString X_API_KEY = AsciiString.cached("x-api-key");

  /**
   * Netty's constants (and {@link #X_API_KEY}) for the names the gateway sets on every message it sends
   * (the request upstream, the answer to the client): a table starts with them, so that setting one needs
   * no validation either. A provider's lower-case names read later are these very strings; a name that
   * collides with one takes its slot, as any other would.
   */
  private static final AsciiString[] SET_BY_THE_GATEWAY = {HttpHeaderNames.HOST, HttpHeaderNames.ACCEPT_ENCODING,
      HttpHeaderNames.CONTENT_LENGTH, HttpHeaderNames.AUTHORIZATION, HttpHeaderNames.TRANSFER_ENCODING,
      HttpHeaderNames.CONTENT_TYPE, X_API_KEY};

  private static final FastThreadLocal<AsciiString[]> TABLE = new FastThreadLocal<>() {
    @Override
    protected AsciiString[] initialValue() {
      AsciiString[] table = new AsciiString[SLOTS];
      for (AsciiString name : SET_BY_THE_GATEWAY) {
        table[slot(name.hashCode(), name.byteAt(0))] = name;
      }
      return table;
    }
  };

  private HeaderNameCache() {
  }

  /** The name in {@code bytes[start, start + length)}: the kept string if its bytes are equal, else a new one. */
  public static AsciiString name(byte[] bytes, int start, int length) {
    return name(table(), bytes, start, length);
  }

  /** This thread's table, for a decoder to look up all the names of a head in. */
  static AsciiString[] table() {
    return TABLE.get();
  }

  /** {@link #name(byte[], int, int)} in {@code table}, this thread's. */
  static AsciiString name(AsciiString[] table, byte[] bytes, int start, int length) {
    if (length > LONGEST_KEPT) {
      return new AsciiString(bytes, start, length, true);
    }
    int hash = PlatformDependent.hashCodeAscii(bytes, start, length); // eight bytes a step
    int slot = slot(hash, bytes[start]);
    AsciiString kept = table[slot];
    if (kept != null && kept.length() == length && Arrays.equals(kept.array(), kept.arrayOffset(),
        kept.arrayOffset() + length, bytes, start, start + length)) {
      return kept;
    }
    AsciiString made = new AsciiString(bytes, start, length, true);
    if (length > 0 && HttpHeaderValidationUtil.validateToken(made) == -1) {
      made.hashCode(); // the same hash (an AsciiString's is Netty's ASCII hash), now cached in it
      table[slot] = made;
    }
    return made;
  }

  /**
   * Whether {@code name} is a string this thread's table keeps, and so a valid header name: only names
   * that are tokens are kept. The check is an identity comparison with the slot its cached hash picks.
   */
  public static boolean keeps(AsciiString name) {
    return keeps(TABLE.get(), name);
  }

  /** {@link #keeps(AsciiString)} in {@code table}, this thread's. */
  static boolean keeps(AsciiString[] table, AsciiString name) {
    return name.length() <= LONGEST_KEPT && name.length() > 0 && table[slot(name.hashCode(), name.byteAt(0))] == name;
  }

  /**
   * The hash ignores case, so the first byte's case bit is mixed in: clients tend to send
   * {@code Content-Type} and providers {@code content-type}, and the two spellings, both read on one
   * event loop, would otherwise evict each other from one slot at every message.
   */
  private static int slot(int hash, byte first) {
    return (hash ^ hash >>> 9 ^ (first & 0x20) << 3) & (SLOTS - 1);
  }
}
