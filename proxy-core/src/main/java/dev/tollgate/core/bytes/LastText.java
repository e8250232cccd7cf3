package dev.tollgate.core.bytes;

import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The text that the last UTF-8 bytes decoded to, handed out again while the same bytes come back: a
 * model name repeats request after request, so comparing its bytes with the last ones saves decoding
 * them and allocating the string each time (and gives the metrics' label lookups the same instance).
 * Not thread-safe: one per event-loop thread, from {@link #perThread()}.
 */
public final class LastText {

  /** Longest bytes remembered: model names are a few dozen bytes. */
  static final int MAX_BYTES = 256;

  private byte[] bytes = new byte[0];
  private String text;

  /** A memo for each thread that asks (an event loop's, in practice). */
  public static FastThreadLocal<LastText> perThread() {
    return new FastThreadLocal<>() {
      @Override
      protected LastText initialValue() {
        return new LastText();
      }
    };
  }

  /** The text of the UTF-8 bytes {@code b[from, to)}: the very string returned last for the same bytes. */
  public String decode(byte[] b, int from, int to) {
    if (text != null && Arrays.equals(bytes, 0, bytes.length, b, from, to)) {
      return text;
    }
    String decoded = new String(b, from, to - from, StandardCharsets.UTF_8);
    if (to - from <= MAX_BYTES) {
      bytes = Arrays.copyOfRange(b, from, to);
      text = decoded;
    }
    return decoded;
  }
}
