package dev.tollgate.core.bytes;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Eight bytes of an array read as one little-endian long, for the byte searches of the head decoder and the
 * JSON readers ({@link dev.tollgate.core.guard.Http1MessageDecoder}, {@link dev.tollgate.core.route.PlainJson},
 * {@link dev.tollgate.core.usage.UsageScanner}): a word is tested for the bytes sought all at once, and the
 * lowest marked byte is the first match. With {@code w} a word XOR a byte repeated eight times, {@code (w - ONES) & ~w & HIGHS} sets
 * the high bit of each zero byte of {@code w}, so of each byte equal to the one sought. A borrow can also
 * mark a byte above a true match, never one below it, so the lowest mark is the first match (the first byte
 * is the lowest: little-endian).
 */
public final class ByteWords {

  private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private static final long SPACES = repeated(' ');

  private ByteWords() {
  }

  /** The eight bytes {@code bytes[i, i + 8)}; the first is the lowest. */
  public static long word(byte[] bytes, int i) {
    return (long) WORDS.get(bytes, i);
  }

  /** The byte {@code c} repeated eight times, to look for it with {@link #matches}. */
  public static long repeated(char c) {
    return c * ONES;
  }

  /** The high bit of each byte of {@code word} equal to the byte {@code repeated} holds, maybe more above the first. */
  public static long matches(long word, long repeated) {
    long w = word ^ repeated;
    return (w - ONES) & ~w & HIGHS;
  }

  /**
   * The high bit of each byte of {@code word} that is a control character (below 0x20) or not ASCII (from
   * 0x80), maybe more above the first: a byte below 0x20 borrows into its high bit when 0x20 is taken from
   * it, and a byte from 0x80 has that bit already.
   */
  public static long controlOrNonAscii(long word) {
    return ((word - SPACES) | word) & HIGHS;
  }

  /** The index, from {@code i}, of the first byte that {@code marks} (not zero) marks in the word read at {@code i}. */
  public static int firstMarked(int i, long marks) {
    return i + (Long.numberOfTrailingZeros(marks) >>> 3);
  }
}
