package dev.tollgate.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parsed options of one bench command: {@code --name value} pairs (repeatable) and bare flags. Immutable
 * after parsing; used by the main thread.
 */
final class CommandLine {

  private static final Set<String> FLAGS = Set.of("stream", "quiet", "help");

  private final Map<String, List<String>> options = new LinkedHashMap<>();

  CommandLine(List<String> args) {
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("argument: " + arg + " (expected: --option)");
      }
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq > 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (FLAGS.contains(name)) {
        value = "true";
      } else {
        if (i + 1 >= args.size()) {
          throw new IllegalArgumentException("--" + name + ": no value");
        }
        value = args.get(++i);
      }
      options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
  }

  boolean flag(String name) {
    return options.containsKey(name);
  }

  String string(String name, String fallback) {
    List<String> values = options.get(name);
    return values == null ? fallback : values.get(values.size() - 1);
  }

  List<String> all(String name) {
    return options.getOrDefault(name, List.of());
  }

  int integer(String name, int fallback) {
    String value = string(name, null);
    return value == null ? fallback : Integer.parseInt(value.trim());
  }

  double decimal(String name, double fallback) {
    String value = string(name, null);
    return value == null ? fallback : Double.parseDouble(value.trim());
  }

  Duration duration(String name, Duration fallback) {
    String value = string(name, null);
    return value == null ? fallback : parseDuration(value);
  }

  void rejectUnknown(Set<String> known) {
    for (String name : options.keySet()) {
      if (!known.contains(name)) {
        throw new IllegalArgumentException("--" + name + ": unknown option (expected one of " + known + ")");
      }
    }
  }

  /** Parses {@code 500ms}, {@code 10s}, {@code 2m} or a bare number of seconds. */
  static Duration parseDuration(String text) {
    String t = text.trim();
    if (t.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
    }
    if (t.endsWith("s")) {
      return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
    }
    if (t.endsWith("m")) {
      return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
    }
    return Duration.ofMillis(Math.round(Double.parseDouble(t) * 1000));
  }
}
