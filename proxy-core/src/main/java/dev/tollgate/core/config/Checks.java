package dev.tollgate.core.config;

/** Validation helpers for config records; messages name the value and the expectation. */
final class Checks {

  private Checks() {
  }

  static long positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
    }
    return value;
  }

  static int positive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
    }
    return value;
  }

  static long nonNegative(String name, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
    }
    return value;
  }

  static int port(String name, int value) {
    if (value < 0 || value > 65535) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: 0..65535)");
    }
    return value;
  }

  static String notBlank(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + ": missing (expected: a non-empty value)");
    }
    return value;
  }
}
