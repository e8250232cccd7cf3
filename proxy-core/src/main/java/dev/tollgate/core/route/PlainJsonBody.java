package dev.tollgate.core.route;

import dev.tollgate.core.context.RequestContext;
import java.nio.charset.StandardCharsets;

/**
 * The allocation-free path of {@link RequestBodyInspector}: reads a body written in plain JSON (ASCII
 * text, simple escapes, short numbers, shallow nesting) and sets the fields the inspector wants. Any
 * body outside that subset, valid or not, is handed back undecided so that Jackson reads it: the
 * subset is only what Jackson accepts too, with the same values. Runs on the event loop.
 */
final class PlainJsonBody {

  /** Returned by the readers below: this path does not decide, Jackson must read the body. */
  private static final int UNDECIDED = -1;
  private static final int MAX_DEPTH = 64;
  private static final int MAX_NUMBER_CHARS = 64;
  /** Longest name or model read here; Jackson's own limits are far above (50,000 for a name). */
  private static final int MAX_NAME_CHARS = 256;
  /** Longest string skipped here; Jackson's limit for a value is 20,000,000. */
  private static final int MAX_STRING_BYTES = 1 << 20;
  /** Longest integer read here as a long: 18 digits always fit. */
  private static final int MAX_LONG_DIGITS = 18;

  private static final byte[] MODEL = ascii("model");
  private static final byte[] STREAM = ascii("stream");
  private static final byte[] STREAM_OPTIONS = ascii("stream_options");
  private static final byte[] INCLUDE_USAGE = ascii("include_usage");
  private static final byte[] MAX_TOKENS = ascii("max_tokens");
  private static final byte[] MAX_COMPLETION_TOKENS = ascii("max_completion_tokens");
  private static final byte[] MAX_OUTPUT_TOKENS = ascii("max_output_tokens");

  private PlainJsonBody() {
  }

  /**
   * Reads the JSON object in {@code bytes[from, to)} into {@code request}.
   *
   * @return true when the body was read; false when Jackson must read it. Fields met before the
   *     point where this path gave up are already set: Jackson sets them again, in the same order.
   */
  static boolean read(byte[] bytes, int from, int to, RequestContext request) {
    int i = skipSpace(bytes, from, to);
    if (i == to || bytes[i] != '{') {
      return false;
    }
    i = topLevelFields(bytes, i + 1, to, request);
    return i != UNDECIDED && skipSpace(bytes, i, to) == to;
  }

  /** Reads the members of the top-level object opened just before {@code i}; returns the index after it. */
  private static int topLevelFields(byte[] b, int i, int to, RequestContext request) {
    i = skipSpace(b, i, to);
    if (i < to && b[i] == '}') {
      return i + 1;
    }
    while (true) {
      if (i == to || b[i] != '"') {
        return UNDECIDED;
      }
      int nameFrom = i + 1;
      int nameTo = plainStringEnd(b, nameFrom, to);
      if (nameTo == UNDECIDED) {
        return UNDECIDED;
      }
      i = afterColon(b, nameTo + 1, to);
      if (i == UNDECIDED) {
        return UNDECIDED;
      }
      i = topLevelField(b, nameFrom, nameTo, i, to, request);
      i = afterMember(b, i, to, (byte) '}');
      if (i == UNDECIDED || b[i - 1] == '}') {
        return i;
      }
    }
  }

  /** Reads the value at {@code i} of the top-level field {@code b[nameFrom, nameTo)}. */
  private static int topLevelField(byte[] b, int nameFrom, int nameTo, int i, int to,
      RequestContext request) {
    byte first = b[i];
    boolean container = first == '{' || first == '[';
    if (is(b, nameFrom, nameTo, MODEL)) {
      if (first != '"') {
        // Jackson does not skip a container here and would read on inside it: let it do that
        return container ? UNDECIDED : scalarEnd(b, i, to);
      }
      int close = plainStringEnd(b, i + 1, to);
      if (close == UNDECIDED) {
        return UNDECIDED;
      }
      request.requestModel(new String(b, i + 1, close - i - 1, StandardCharsets.US_ASCII));
      return close + 1;
    }
    if (is(b, nameFrom, nameTo, STREAM)) {
      int end = container ? UNDECIDED : scalarEnd(b, i, to);
      if (end != UNDECIDED) {
        request.stream(first == 't');
      }
      return end;
    }
    if (is(b, nameFrom, nameTo, STREAM_OPTIONS)) {
      return first == '{' ? streamOptions(b, i + 1, to, request) : valueEnd(b, i, to, 1);
    }
    if (is(b, nameFrom, nameTo, MAX_TOKENS) || is(b, nameFrom, nameTo, MAX_COMPLETION_TOKENS)
        || is(b, nameFrom, nameTo, MAX_OUTPUT_TOKENS)) {
      return container ? UNDECIDED : maxOutputTokens(b, i, to, request);
    }
    return valueEnd(b, i, to, 1);
  }

  private static int streamOptions(byte[] b, int i, int to, RequestContext request) {
    i = skipSpace(b, i, to);
    if (i < to && b[i] == '}') {
      return i + 1;
    }
    while (true) {
      if (i == to || b[i] != '"') {
        return UNDECIDED;
      }
      int nameFrom = i + 1;
      int nameTo = plainStringEnd(b, nameFrom, to);
      if (nameTo == UNDECIDED) {
        return UNDECIDED;
      }
      i = afterColon(b, nameTo + 1, to);
      if (i == UNDECIDED) {
        return UNDECIDED;
      }
      if (is(b, nameFrom, nameTo, INCLUDE_USAGE)) {
        boolean container = b[i] == '{' || b[i] == '[';
        int end = container ? UNDECIDED : scalarEnd(b, i, to); // Jackson would not skip a container
        if (end != UNDECIDED) {
          request.clientIncludeUsage(b[i] == 't');
        }
        i = end;
      } else {
        i = valueEnd(b, i, to, 2);
      }
      i = afterMember(b, i, to, (byte) '}');
      if (i == UNDECIDED || b[i - 1] == '}') {
        return i;
      }
    }
  }

  /** An integer sets the limit, a fraction is ignored (as Jackson's VALUE_NUMBER_FLOAT is). */
  private static int maxOutputTokens(byte[] b, int i, int to, RequestContext request) {
    int end = scalarEnd(b, i, to);
    if (end == UNDECIDED || !(b[i] == '-' || isDigit(b[i]))) {
      return end;
    }
    boolean negative = b[i] == '-';
    int digitsFrom = negative ? i + 1 : i;
    long value = 0;
    for (int k = digitsFrom; k < end; k++) {
      if (!isDigit(b[k])) {
        return end; // a fraction or an exponent
      }
      if (k - digitsFrom == MAX_LONG_DIGITS) {
        return UNDECIDED; // maybe beyond a long, which Jackson refuses
      }
      value = value * 10 + (b[k] - '0');
    }
    request.maxOutputTokens(negative ? -value : value);
    return end;
  }

  /** Skips any value starting at {@code i}, at nesting {@code depth}; returns the index after it. */
  private static int valueEnd(byte[] b, int i, int to, int depth) {
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
  private static int scalarEnd(byte[] b, int i, int to) {
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

  /** The index of the closing quote of a short string of printable ASCII without escapes. */
  private static int plainStringEnd(byte[] b, int i, int to) {
    to = Math.min(to, i + MAX_NAME_CHARS + 1);
    for (; i < to; i++) {
      byte c = b[i];
      if (c == '"') {
        return i;
      }
      if (c == '\\' || c < 0x20) { // an escape, a control character or a non-ASCII byte (negative)
        return UNDECIDED;
      }
    }
    return UNDECIDED;
  }

  /** The index after the closing quote of an ASCII string whose escapes are all valid JSON ones. */
  private static int skippedStringEnd(byte[] b, int i, int to) {
    to = Math.min(to, i + MAX_STRING_BYTES + 1);
    while (i < to) {
      byte c = b[i++];
      if (c == '"') {
        return i;
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

  /** {@code -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?}, at most MAX_NUMBER_CHARS long. */
  private static int numberEnd(byte[] b, int i, int to) {
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
  private static int afterColon(byte[] b, int i, int to) {
    i = skipSpace(b, i, to);
    if (i == to || b[i] != ':') {
      return UNDECIDED;
    }
    i = skipSpace(b, i + 1, to);
    return i == to ? UNDECIDED : i;
  }

  /**
   * After a member's value: the index just after {@code close} when the container ends there (so
   * {@code b[result - 1] == close}), else the start of the next member after a comma (then
   * {@code b[result - 1]} is the comma or a space); UNDECIDED for anything else.
   */
  private static int afterMember(byte[] b, int i, int to, byte close) {
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

  private static int skipSpace(byte[] b, int i, int to) {
    while (i < to && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
      i++;
    }
    return i;
  }

  private static boolean is(byte[] b, int from, int to, byte[] name) {
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

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isHex(byte c) {
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
