package dev.tollgate.core.guard;

import io.netty.util.AsciiString;
import java.util.Arrays;

/**
 * The header lines of a connection's previous head, as bytes and as what they were read as. Consecutive
 * heads on a connection mostly repeat their lines (an SDK's User-Agent, Content-Type and Accept; a
 * provider's Content-Type and version), so a line byte for byte equal to the line at the same place in
 * the previous head is taken as read then: its name, its value and what the name means to the decoder,
 * without scanning, hashing and checking it again. Credentials and cookies are never taken: their
 * values are read anew each time, as {@link HeaderValueCache} never keeps them. A head with a folded
 * line, or header lines longer than {@link #MAX_BYTES}, is not remembered. One per decoder, on its loop.
 */
final class PreviousHeadLines {

  /** Header lines longer than this together are not remembered (a connection keeps at most this many bytes). */
  static final int MAX_BYTES = 2048;

  private byte[] bytes = new byte[256];
  /** Line {@code i} (from 1) is {@code bytes[ends[i - 1] + 2, ends[i])}; {@code ends[0]} is -2. */
  private int[] ends = new int[16];
  private AsciiString[] names = new AsciiString[16];
  private String[] values = new String[16];
  private int[] kinds = new int[16];
  /** How many lines are remembered; none while a head is being read. */
  private int lines;

  /**
   * Starts reading a head of {@code count} lines: returns how many lines of the previous head may be
   * matched, and forgets them until {@link #remember} (so a head that fails leaves nothing half-written).
   */
  int begin(int count) {
    int valid = lines;
    lines = 0;
    if (names.length <= count) {
      int size = Math.max(count + 1, 2 * names.length);
      names = Arrays.copyOf(names, size);
      values = Arrays.copyOf(values, size);
      kinds = Arrays.copyOf(kinds, size);
    }
    return valid;
  }

  /** Whether line {@code line} of the previous head is a line to take and has the bytes {@code head[from, to)}. */
  boolean matches(int line, byte[] head, int from, int to) {
    int start = ends[line - 1] + 2;
    return values[line] != null && ends[line] - start == to - from
        && Arrays.equals(bytes, start, ends[line], head, from, to);
  }

  AsciiString name(int line) {
    return names[line];
  }

  String value(int line) {
    return values[line];
  }

  int kind(int line) {
    return kinds[line];
  }

  /** Notes what line {@code line} of the head being read was read as; a null {@code value} is never taken. */
  void read(int line, AsciiString name, String value, int kind) {
    names[line] = name;
    values[line] = value;
    kinds[line] = kind;
  }

  /**
   * Remembers the bytes of the head just read, whose {@code count} header lines are {@code head[from,
   * lineEnds[count] + 2)}, line {@code i} ending at {@code lineEnds[i]}.
   */
  void remember(byte[] head, int from, int[] lineEnds, int count) {
    int length = count == 0 ? 0 : lineEnds[count] + 2 - from;
    if (length > MAX_BYTES) {
      return;
    }
    if (bytes.length < length) {
      bytes = new byte[Math.max(length, 2 * bytes.length)];
    }
    if (ends.length <= count) {
      ends = new int[Math.max(count + 1, 2 * ends.length)];
    }
    System.arraycopy(head, from, bytes, 0, length);
    ends[0] = -2;
    for (int i = 1; i <= count; i++) {
      ends[i] = lineEnds[i] - from;
    }
    lines = count;
  }
}
