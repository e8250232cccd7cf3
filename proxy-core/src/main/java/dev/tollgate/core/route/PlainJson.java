package dev.tollgate.core.route;

import dev.tollgate.core.bytes.ByteWords;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Readers of the plain-JSON subset (names and read strings in ASCII, skipped strings in well-formed
 * UTF-8, valid escapes, numbers of at most 64 characters, nesting at most 64 deep) over a byte array,
 * allocating nothing. Each returns the index after what it read, or {@link #UNDECIDED} when the bytes
 * leave the subset: the caller then lets Jackson read the whole document, so what is accepted here is
 * always what Jackson accepts too. Stateless; used on the event loop by {@link PlainJsonBody} and the
 * usage scanner.
 */
public final class PlainJson {

  /** Returned by the readers: the bytes leave the subset, Jackson must read the document. */
  public static final int UNDECIDED = -1;
  private static final int MAX_DEPTH = 64;
  private static final int MAX_NUMBER_CHARS = 64;
  /** Longest name or model read here; Jackson's own limits are far above (50,000 for a name). */
  private static final int MAX_NAME_CHARS = 256;
  /** Longest string skipped here; Jackson's limit for a value is 20,000,000. */
  private static final int MAX_STRING_BYTES = 1 << 20;
  /** Longest integer read here as a long: 18 digits always fit. */
  public static final int MAX_LONG_DIGITS = 18;
  /** Plain ASCII bytes after which text beyond ASCII is read a word at a time again (see utf8TextEnd). */
  private static final int DENSE_TEXT_GAP = 4;
  private static final long QUOTES = ByteWords.repeated('"');
  private static final long BACKSLASHES = ByteWords.repeated('\\');

  private PlainJson() {
  }

  /** Skips any value starting at {@code i}, at nesting {@code depth}; returns the index after it. */
  public static int valueEnd(byte[] b, int i, int to, int depth) {
    byte first = b[i];
    if (first != '{' && first != '[') {
      return scalarEnd(b, i, to);
    }
    if (depth > MAX_DEPTH) {
      return UNDECIDED;
    }
    byte close = first == '{' ? (byte) '}' : (byte) ']';
    i = skipSpace(b, i + 1, to);
    if (i < to && b[i] == close) {
      return i + 1;
    }
    while (true) {
      if (i == to) {
        return UNDECIDED;
      }
      if (first == '{') {
        if (b[i] != '"') {
          return UNDECIDED;
        }
        i = plainStringEnd(b, i + 1, to);
        i = i == UNDECIDED ? UNDECIDED : afterColon(b, i + 1, to);
        if (i == UNDECIDED) {
          return UNDECIDED;
        }
      }
      i = valueEnd(b, i, to, depth + 1);
      i = afterMember(b, i, to, close);
      if (i == UNDECIDED || b[i - 1] == close) {
        return i;
      }
    }
  }

  /** Skips a string, number or literal starting at {@code i}; UNDECIDED for anything else. */
  public static int scalarEnd(byte[] b, int i, int to) {
    byte first = b[i];
    if (first == '"') {
      return skippedStringEnd(b, i + 1, to);
    }
    if (first == '-' || isDigit(first)) {
      return numberEnd(b, i, to);
    }
    if (first == 't') {
      return literalEnd(b, i, to, "true");
    }
    if (first == 'f') {
      return literalEnd(b, i, to, "false");
    }
    if (first == 'n') {
      return literalEnd(b, i, to, "null");
    }
    return UNDECIDED;
  }

  /**
   * The index of the closing quote of a short string of ASCII without escapes or control characters
   * (a name, a model), searched for eight bytes a step.
   */
  public static int plainStringEnd(byte[] b, int i, int to) {
    to = Math.min(to, i + MAX_NAME_CHARS + 1);
    int end = nextSpecialByte(b, i, to);
    return end < to && b[end] == '"' ? end : UNDECIDED; // not an escape, a control character or beyond ASCII
  }

  /**
   * The index after the closing quote of a string whose escapes are all valid JSON ones and whose other
   * bytes are text: no control characters, and anything beyond ASCII in well-formed UTF-8. A prompt's
   * text is most of a request body, so runs of plain bytes are passed over eight at a time.
   */
  public static int skippedStringEnd(byte[] b, int i, int to) {
    to = Math.min(to, i + MAX_STRING_BYTES + 1);
    while (i < to) {
      i = nextSpecialByte(b, i, to);
      if (i == to) {
        return UNDECIDED;
      }
      byte c = b[i++];
      if (c == '"') {
        return i;
      }
      if (c < 0) { // a byte beyond ASCII: text in UTF-8 from here
        i = utf8TextEnd(b, i - 1, to);
        if (i == UNDECIDED) {
          return UNDECIDED;
        }
        continue;
      }
      if (c < 0x20) {
        return UNDECIDED;
      }
      if (c != '\\') {
        continue;
      }
      if (i == to) {
        return UNDECIDED;
      }
      byte escaped = b[i++];
      if (escaped == 'u') {
        if (to - i < 4 || !isHex(b[i]) || !isHex(b[i + 1]) || !isHex(b[i + 2]) || !isHex(b[i + 3])) {
          return UNDECIDED;
        }
        i += 4;
      } else if ("\"\\/bfnrt".indexOf(escaped) < 0) {
        return UNDECIDED;
      }
    }
    return UNDECIDED;
  }

  /** The index of the first quote, backslash, control character or byte beyond ASCII from {@code i}, or {@code to}. */
  private static int nextSpecialByte(byte[] b, int i, int to) {
    for (; i + Long.BYTES <= to; i += Long.BYTES) {
      long word = ByteWords.word(b, i);
      long marks = ByteWords.controlOrNonAscii(word) | ByteWords.matches(word, QUOTES)
          | ByteWords.matches(word, BACKSLASHES);
      if (marks != 0) {
        return ByteWords.firstMarked(i, marks);
      }
    }
    byte c;
    while (i < to && (c = b[i]) >= 0x20 && c != '"' && c != '\\') { // a byte beyond ASCII is negative
      i++;
    }
    return i;
  }

  /**
   * Reads text from the UTF-8 sequence at {@code b[i]} byte by byte for as long as more bytes beyond
   * ASCII come within {@link #DENSE_TEXT_GAP} bytes of each other (text in most scripts but Latin, where
   * they come at every character): returns the index of the first byte it did not read (a quote, a
   * backslash, a control character, or plain ASCII going on for longer), or UNDECIDED at a sequence that
   * is not well-formed. Latin text with an accent or a curly quote here and there thus goes back to being
   * read a word at a time soon after each.
   */
  private static int utf8TextEnd(byte[] b, int i, int to) {
    int plainRun = 0;
    while (i < to && plainRun < DENSE_TEXT_GAP) {
      byte c = b[i];
      if (c < 0) {
        i = utf8SequenceEnd(b, i, to);
        if (i == UNDECIDED) {
          return UNDECIDED;
        }
        plainRun = 0;
      } else if (c >= 0x20 && c != '"' && c != '\\') {
        i++;
        plainRun++;
      } else {
        return i;
      }
    }
    return i;
  }

  /**
   * The index after the UTF-8 sequence whose lead byte is {@code b[i]} (not ASCII), or UNDECIDED when
   * it is not a well-formed one (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF, not
   * cut short). Jackson reads more than this; what this refuses it is left to judge.
   */
  private static int utf8SequenceEnd(byte[] b, int i, int to) {
    int lead = b[i] & 0xff;
    if (lead < 0xE0) { // two bytes, from U+0080: a lead below 0xC2 is a continuation or an overlong form
      return lead >= 0xC2 && i + 1 < to && isContinuation(b[i + 1]) ? i + 2 : UNDECIDED;
    }
    if (i + 2 >= to) {
      return UNDECIDED;
    }
    int second = b[i + 1] & 0xff;
    if (lead < 0xF0) { // three bytes: not overlong (after 0xE0), not a surrogate (after 0xED)
      boolean valid = isContinuation(b[i + 1]) && isContinuation(b[i + 2])
          && (lead != 0xE0 || second >= 0xA0) && (lead != 0xED || second < 0xA0);
      return valid ? i + 3 : UNDECIDED;
    }
    // four bytes: not overlong (after 0xF0), not past U+10FFFF (0xF4 at most, then below 0x90)
    boolean valid = lead <= 0xF4 && i + 3 < to && isContinuation(b[i + 1]) && isContinuation(b[i + 2])
        && isContinuation(b[i + 3]) && (lead != 0xF0 || second >= 0x90) && (lead != 0xF4 || second < 0x90);
    return valid ? i + 4 : UNDECIDED;
  }

  private static boolean isContinuation(byte c) {
    return (c & 0xC0) == 0x80;
  }

  /** {@code -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?}, at most MAX_NUMBER_CHARS long. */
  public static int numberEnd(byte[] b, int i, int to) {
    int from = i;
    if (b[i] == '-') {
      i++;
    }
    if (i == to || !isDigit(b[i])) {
      return UNDECIDED;
    }
    if (b[i] == '0') {
      i++;
    } else {
      i = digitsEnd(b, i, to);
    }
    if (i < to && b[i] == '.') {
      int fraction = i + 1;
      i = digitsEnd(b, fraction, to);
      if (i == fraction) {
        return UNDECIDED;
      }
    }
    if (i < to && (b[i] == 'e' || b[i] == 'E')) {
      i++;
      if (i < to && (b[i] == '+' || b[i] == '-')) {
        i++;
      }
      int exponent = i;
      i = digitsEnd(b, exponent, to);
      if (i == exponent) {
        return UNDECIDED;
      }
    }
    return i - from > MAX_NUMBER_CHARS ? UNDECIDED : i;
  }

  private static int digitsEnd(byte[] b, int i, int to) {
    while (i < to && isDigit(b[i])) {
      i++;
    }
    return i;
  }

  private static int literalEnd(byte[] b, int i, int to, String literal) {
    if (to - i < literal.length()) {
      return UNDECIDED;
    }
    for (int k = 0; k < literal.length(); k++) {
      if (b[i + k] != literal.charAt(k)) {
        return UNDECIDED;
      }
    }
    return i + literal.length();
  }

  /** After a name's closing quote: optional space, a colon, optional space, then a value must start. */
  public static int afterColon(byte[] b, int i, int to) {
    i = skipSpace(b, i, to);
    if (i == to || b[i] != ':') {
      return UNDECIDED;
    }
    i = skipSpace(b, i + 1, to);
    return i == to ? UNDECIDED : i;
  }

  /**
   * The first member of the object opened just before {@code i}: the index of its name's opening
   * quote; for an empty object, an end that {@link #objectEnd} turns into the index after its brace;
   * UNDECIDED for anything else. A reader walks an object's members in a loop of its own:
   *
   * <pre>{@code
   * int at = firstMember(b, i, to);
   * while (at >= 0) {
   *   int nameTo = plainStringEnd(b, at + 1, to);        // the name is b[at + 1, nameTo)
   *   int valueAt = valueAfterName(b, nameTo, to);
   *   at = nextMember(b, valueAt == UNDECIDED ? UNDECIDED : readValue(b, at + 1, nameTo, valueAt, to), to);
   * }
   * return objectEnd(at);                               // the index after the object, or UNDECIDED
   * }</pre>
   *
   * <p>A loop per kind of object, rather than one walker calling each reader back: a shared walker's
   * call to its reader is megamorphic, so every member cost a dispatch through a stub, and no reader
   * was compiled into the walk.
   */
  public static int firstMember(byte[] b, int i, int to) {
    i = skipSpace(b, i, to);
    if (i == to) {
      return UNDECIDED;
    }
    if (b[i] == '}') {
      return endAt(i + 1);
    }
    return b[i] == '"' ? i : UNDECIDED;
  }

  /**
   * After a member's value, which ends just before {@code valueEnd} (UNDECIDED passes through): the
   * next member as {@link #firstMember} gives it, or the object's end.
   */
  public static int nextMember(byte[] b, int valueEnd, int to) {
    int i = afterMember(b, valueEnd, to, (byte) '}');
    if (i == UNDECIDED) {
      return UNDECIDED;
    }
    if (b[i - 1] == '}') {
      return endAt(i);
    }
    return b[i] == '"' ? i : UNDECIDED;
  }

  /** Where the value of the member whose name's closing quote is at {@code nameTo} starts, or UNDECIDED. */
  public static int valueAfterName(byte[] b, int nameTo, int to) {
    return nameTo == UNDECIDED ? UNDECIDED : afterColon(b, nameTo + 1, to);
  }

  /** The index after the object whose walk ended on {@code at} (not a member), or UNDECIDED. */
  public static int objectEnd(int at) {
    return at == UNDECIDED ? UNDECIDED : -2 - at;
  }

  /** The end of an object whose closing brace is just before {@code after}: below UNDECIDED, as no member is. */
  private static int endAt(int after) {
    return -2 - after;
  }

  /**
   * After a member's value: the index just after {@code close} when the container ends there (so
   * {@code b[result - 1] == close}), else the start of the next member after a comma (then
   * {@code b[result - 1]} is the comma or a space); UNDECIDED for anything else.
   */
  public static int afterMember(byte[] b, int i, int to, byte close) {
    if (i == UNDECIDED) {
      return UNDECIDED;
    }
    i = skipSpace(b, i, to);
    if (i == to) {
      return UNDECIDED;
    }
    if (b[i] == close) {
      return i + 1;
    }
    if (b[i] != ',') {
      return UNDECIDED;
    }
    i = skipSpace(b, i + 1, to);
    return i == to || b[i] == close ? UNDECIDED : i; // a trailing comma is not JSON
  }

  public static int skipSpace(byte[] b, int i, int to) {
    if (i < to && b[i] > ' ') {
      return i; // compact JSON, as the SDKs and providers write it: no space between tokens
    }
    while (i < to && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
      i++;
    }
    return i;
  }

  /**
   * A fixed set of member names, found by the bytes of a name read: the names are grouped by length, so
   * a name is compared byte by byte with the few of its own length only.
   */
  public static final class Names {

    private final byte[][] names;
    /** For each length (the index), the indexes of the names of that length; null for none. */
    private final int[][] byLength;

    public Names(String... names) {
      this.names = new byte[names.length][];
      int longest = 0;
      for (int k = 0; k < names.length; k++) {
        this.names[k] = names[k].getBytes(StandardCharsets.US_ASCII);
        longest = Math.max(longest, names[k].length());
      }
      byLength = new int[longest + 1][];
      for (int k = 0; k < names.length; k++) {
        int[] same = byLength[names[k].length()];
        same = same == null ? new int[1] : Arrays.copyOf(same, same.length + 1);
        same[same.length - 1] = k;
        byLength[names[k].length()] = same;
      }
    }

    /** The index in the set of the name {@code b[from, to)}, or -1 when it is not one of them. */
    public int indexOf(byte[] b, int from, int to) {
      int length = to - from;
      int[] candidates = length < byLength.length ? byLength[length] : null;
      if (candidates != null) {
        for (int k : candidates) {
          if (Arrays.equals(names[k], 0, length, b, from, to)) {
            return k;
          }
        }
      }
      return -1;
    }
  }

  public static boolean is(byte[] b, int from, int to, byte[] name) {
    if (to - from != name.length) {
      return false;
    }
    for (int k = 0; k < name.length; k++) {
      if (b[from + k] != name[k]) {
        return false;
      }
    }
    return true;
  }

  public static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isHex(byte c) {
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /**
   * The value of the number token {@code b[from, to)} when it is an integer of at most
   * {@link #MAX_LONG_DIGITS} digits; {@code Long.MIN_VALUE} when it has a fraction or an exponent, or
   * more digits.
   */
  public static long shortIntegerValue(byte[] b, int from, int to) {
    boolean negative = b[from] == '-';
    int digitsFrom = negative ? from + 1 : from;
    if (to - digitsFrom > MAX_LONG_DIGITS) {
      return Long.MIN_VALUE;
    }
    long value = 0;
    for (int k = digitsFrom; k < to; k++) {
      if (!isDigit(b[k])) {
        return Long.MIN_VALUE;
      }
      value = value * 10 + (b[k] - '0');
    }
    return negative ? -value : value;
  }

  /** Whether the number token {@code b[from, to)} has no fraction and no exponent. */
  public static boolean isInteger(byte[] b, int from, int to) {
    for (int k = from; k < to; k++) {
      if (b[k] == '.' || b[k] == 'e' || b[k] == 'E') {
        return false;
      }
    }
    return true;
  }
}
