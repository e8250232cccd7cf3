package dev.tollgate.core.upstream;

import dev.tollgate.core.guard.FlatHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A fixed set of header names, matched ignoring case, and the one pass over a message's headers that
 * finds those present: a message is walked once instead of being looked up (a hash of the name and a
 * walk of its bucket) once per name of the set, which most messages do not carry.
 */
final class HeaderNames {

  /** The names of each length, index = length. */
  private final AsciiString[][] byLength;
  /** A name of the set or one {@code alsoDropped} picks: made once, not per message. */
  private final Predicate<CharSequence> dropped;

  HeaderNames(List<AsciiString> names) {
    this(names, name -> false);
  }

  /** @param alsoDropped names {@link #removeFrom} removes besides those of the set */
  HeaderNames(List<AsciiString> names, Predicate<CharSequence> alsoDropped) {
    int longest = names.stream().mapToInt(AsciiString::length).max().orElse(0);
    byLength = new AsciiString[longest + 1][];
    for (AsciiString name : names) {
      AsciiString[] same = byLength[name.length()];
      AsciiString[] grown = same == null ? new AsciiString[1] : java.util.Arrays.copyOf(same, same.length + 1);
      grown[grown.length - 1] = name;
      byLength[name.length()] = grown;
    }
    dropped = name -> contains(name) || alsoDropped.test(name);
  }

  boolean contains(CharSequence name) {
    int length = name.length();
    AsciiString[] candidates = length < byLength.length ? byLength[length] : null;
    if (candidates != null) {
      // the names decoders read are AsciiStrings, whose kept hash ignores case: a differing one rules a
      // candidate out without comparing bytes
      int hash = name instanceof AsciiString ascii ? ascii.hashCode() : 0;
      for (AsciiString candidate : candidates) {
        if ((hash == 0 || candidate.hashCode() == hash) && candidate.contentEqualsIgnoreCase(name)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Removes from {@code headers} every header named in this set or picked by {@code alsoDropped}, and
   * every header the message's {@code Connection} header lists (so hop-by-hop by the sender's word). A
   * flat list (any message our HTTP/1.1 codecs read) drops them in its one pass; other headers (an
   * HTTP/2 answer's) are walked once to find those present, and only they are removed by name.
   */
  void removeFrom(HttpHeaders headers) {
    String connection = headers.get(HttpHeaderNames.CONNECTION);
    // most messages have no Connection header (HTTP/1.1 keeps alive without one): no predicate per message
    Predicate<CharSequence> dropped = connection == null ? this.dropped
        : name -> this.dropped.test(name) || listedIn(connection, name);
    if (headers instanceof FlatHttpHeaders flat) {
      flat.removeIf(dropped);
      return;
    }
    List<CharSequence> present = null;
    Iterator<Map.Entry<CharSequence, CharSequence>> all = headers.iteratorCharSequence();
    while (all.hasNext()) {
      CharSequence name = all.next().getKey();
      if (dropped.test(name)) {
        if (present == null) {
          present = new ArrayList<>(4);
        }
        present.add(name);
      }
    }
    if (present != null) {
      for (int i = 0, n = present.size(); i < n; i++) {
        headers.remove(present.get(i));
      }
    }
  }

  /** Whether {@code name} is one of the comma-separated, space-padded tokens of {@code connection}. */
  static boolean listedIn(String connection, CharSequence name) {
    int start = 0;
    while (true) {
      int comma = connection.indexOf(',', start);
      int end = comma < 0 ? connection.length() : comma;
      while (start < end && connection.charAt(start) <= ' ') {
        start++;
      }
      while (end > start && connection.charAt(end - 1) <= ' ') {
        end--;
      }
      if (end - start == name.length()
          && AsciiString.regionMatches(connection, true, start, name, 0, name.length())) {
        return true;
      }
      if (comma < 0) {
        return false;
      }
      start = comma + 1;
    }
  }
}
