package dev.tollgate.core.plan;

/**
 * A path or model glob: {@code ?} one character, {@code *} any run within one {@code /}-segment,
 * {@code **} any run across segments; a trailing {@code /**} also matches the bare prefix. Matching
 * allocates nothing, so it is safe on the event loop.
 */
final class Glob {

  private Glob() {}

  /** Checks {@code pattern} and throws {@link IllegalArgumentException} saying what is wrong. */
  static String validate(String pattern) {
    if (pattern == null || pattern.isEmpty()) {
      throw new IllegalArgumentException("'' (expected: a non-empty glob)");
    }
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (Character.isWhitespace(c) || "[]{}\\".indexOf(c) >= 0) {
        throw new IllegalArgumentException(
            "'" + pattern + "' (expected: a glob of literal characters, ?, * and **; found '" + c + "')");
      }
    }
    if (pattern.contains("***")) {
      throw new IllegalArgumentException("'" + pattern + "' (expected: at most two '*' in a row)");
    }
    int at = pattern.indexOf("**");
    while (at >= 0) {
      boolean startsSegment = at == 0 || pattern.charAt(at - 1) == '/';
      boolean endsSegment = at + 2 == pattern.length() || pattern.charAt(at + 2) == '/';
      if (!startsSegment || !endsSegment) {
        throw new IllegalArgumentException("'" + pattern + "' (expected: '**' as a whole segment)");
      }
      at = pattern.indexOf("**", at + 2);
    }
    return pattern;
  }

  /** True when {@code value} matches the (validated) {@code pattern}. */
  static boolean matches(String pattern, String value) {
    return matches(pattern, 0, value, null, 0);
  }

  /** True when {@code provider + "/" + model} matches {@code pattern}; the string is never made. */
  static boolean matches(String pattern, String provider, String model) {
    return matches(pattern, 0, provider, String.valueOf(model), 0);
  }

  /**
   * Matches {@code p} from {@code pi} against the value from {@code si}: {@code head} alone when
   * {@code tail} is null, else {@code head + "/" + tail} read in place.
   */
  private static boolean matches(String p, int pi, String head, String tail, int si) {
    int length = tail == null ? head.length() : head.length() + 1 + tail.length();
    while (pi < p.length()) {
      if (si == length && pi + 3 == p.length() && p.startsWith("/**", pi)) {
        return true;
      }
      char c = p.charAt(pi);
      if (c == '*') {
        boolean crossesSegments = pi + 1 < p.length() && p.charAt(pi + 1) == '*';
        int next = pi + (crossesSegments ? 2 : 1);
        if (next == p.length()) { // a trailing star takes the rest: all of it, or up to no '/' for one '*'
          return crossesSegments || !hasSlashFrom(head, tail, si);
        }
        for (int k = si; k <= length; k++) {
          if (matches(p, next, head, tail, k)) {
            return true;
          }
          if (k < length && !crossesSegments && charAt(head, tail, k) == '/') {
            return false;
          }
        }
        return false;
      }
      if (si >= length) {
        return false;
      }
      char v = charAt(head, tail, si);
      if (c == '?' ? v == '/' : c != v) {
        return false;
      }
      pi++;
      si++;
    }
    return si == length;
  }

  /** True when the value ({@code head}, or {@code head + "/" + tail}) has a '/' at or after {@code i}. */
  private static boolean hasSlashFrom(String head, String tail, int i) {
    if (tail == null) {
      return head.indexOf('/', i) >= 0;
    }
    return i <= head.length() || tail.indexOf('/', i - head.length() - 1) >= 0;
  }

  private static char charAt(String head, String tail, int i) {
    return i < head.length() ? head.charAt(i) : i == head.length() ? '/' : tail.charAt(i - head.length() - 1);
  }
}
