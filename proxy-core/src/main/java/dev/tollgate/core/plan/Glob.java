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
    return matches(pattern, 0, value, 0);
  }

  private static boolean matches(String p, int pi, String s, int si) {
    while (pi < p.length()) {
      if (si == s.length() && pi + 3 == p.length() && p.startsWith("/**", pi)) {
        return true;
      }
      char c = p.charAt(pi);
      if (c == '*') {
        boolean crossesSegments = pi + 1 < p.length() && p.charAt(pi + 1) == '*';
        int next = pi + (crossesSegments ? 2 : 1);
        for (int k = si; k <= s.length(); k++) {
          if (matches(p, next, s, k)) {
            return true;
          }
          if (k < s.length() && !crossesSegments && s.charAt(k) == '/') {
            return false;
          }
        }
        return false;
      }
      if (si >= s.length()) {
        return false;
      }
      char v = s.charAt(si);
      if (c == '?' ? v == '/' : c != v) {
        return false;
      }
      pi++;
      si++;
    }
    return si == s.length();
  }
}
