package dev.tollgate.core.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A YAML mapping being read strictly: it knows its file and key path, so every complaint names
 * both. Used only while loading, never on the request path.
 */
final class ConfigNode {

  private final String source;
  private final String path;
  private final JsonNode node;

  ConfigNode(String source, String path, JsonNode node) {
    this.source = source;
    this.path = path;
    this.node = node;
    if (node == null || !node.isObject()) {
      throw new PlanConfigException(source, path.isEmpty() ? "(root)" : path,
          describe(node) + " (expected: a mapping)");
    }
  }

  String source() {
    return source;
  }

  String keyPath(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  PlanConfigException fail(String key, String detail) {
    return new PlanConfigException(source, keyPath(key), detail);
  }

  void requireOnlyKeys(Set<String> allowed) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw fail(name, "unknown key (expected one of " + new TreeSet<>(allowed) + ")");
      }
    }
  }

  boolean has(String key) {
    return node.has(key);
  }

  String text(String key) {
    JsonNode v = required(key);
    if (!v.isTextual() || v.asText().isBlank()) {
      throw fail(key, describe(v) + " (expected: a non-empty string)");
    }
    return v.asText();
  }

  String optionalText(String key) {
    return has(key) && !node.get(key).isNull() ? text(key) : null;
  }

  boolean bool(String key) {
    JsonNode v = required(key);
    if (!v.isBoolean()) {
      throw fail(key, describe(v) + " (expected: true or false)");
    }
    return v.asBoolean();
  }

  long longAtLeast(String key, long min) {
    JsonNode v = required(key);
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw fail(key, describe(v) + " (expected: a whole number >= " + min + ")");
    }
    long value = v.asLong();
    if (value < min) {
      throw fail(key, value + " (expected: >= " + min + ")");
    }
    return value;
  }

  int intAtLeast(String key, int min) {
    long value = longAtLeast(key, min);
    if (value > Integer.MAX_VALUE) {
      throw fail(key, value + " (expected: <= " + Integer.MAX_VALUE + ")");
    }
    return (int) value;
  }

  /** True when {@code key} holds null or the word {@code unlimited}. */
  boolean isUnlimited(String key) {
    JsonNode v = required(key);
    return v.isNull() || (v.isTextual() && v.asText().equals("unlimited"));
  }

  /** A whole number, or {@code unlimited}/null meaning no limit (returned as null). */
  Long limitOrUnlimited(String key, long min) {
    if (isUnlimited(key)) {
      return null;
    }
    JsonNode v = required(key);
    if (!v.isIntegralNumber()) {
      throw fail(key, describe(v) + " (expected: a whole number >= " + min + " or unlimited)");
    }
    return longAtLeast(key, min);
  }

  double positiveNumber(String key) {
    JsonNode v = required(key);
    if (!v.isNumber() || !(v.asDouble() > 0) || Double.isInfinite(v.asDouble())) {
      throw fail(key, describe(v) + " (expected: a number > 0)");
    }
    return v.asDouble();
  }

  BigDecimal decimalAtLeastZero(String key) {
    JsonNode v = required(key);
    if (!v.isNumber() || v.decimalValue().signum() < 0) {
      throw fail(key, describe(v) + " (expected: a number >= 0)");
    }
    return v.decimalValue();
  }

  List<Integer> percentList(String key) {
    JsonNode v = required(key);
    if (!v.isArray()) {
      throw fail(key, describe(v) + " (expected: a list of percentages)");
    }
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      if (!e.isIntegralNumber() || e.asLong() < 1 || e.asLong() > 1000) {
        throw new PlanConfigException(source, keyPath(key) + "[" + i + "]",
            describe(e) + " (expected: a whole percentage in 1..1000)");
      }
      if (!out.isEmpty() && e.asInt() <= out.get(out.size() - 1)) {
        throw new PlanConfigException(source, keyPath(key) + "[" + i + "]",
            e.asInt() + " (expected: ascending percentages)");
      }
      out.add(e.asInt());
    }
    return out;
  }

  /** A list of globs, each validated. */
  List<String> globList(String key, boolean qualifiedModel) {
    JsonNode v = required(key);
    if (!v.isArray()) {
      throw fail(key, describe(v) + " (expected: a list of globs)");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      String at = keyPath(key) + "[" + i + "]";
      if (!e.isTextual()) {
        throw new PlanConfigException(source, at, describe(e) + " (expected: a glob string)");
      }
      try {
        Glob.validate(e.asText());
      } catch (IllegalArgumentException ex) {
        throw new PlanConfigException(source, at, ex.getMessage());
      }
      if (qualifiedModel && e.asText().indexOf('/') <= 0) {
        throw new PlanConfigException(source, at,
            "'" + e.asText() + "' (expected: provider/model, e.g. openai/gpt-4o*)");
      }
      out.add(e.asText());
    }
    return out;
  }

  ConfigNode object(String key) {
    return new ConfigNode(source, keyPath(key), required(key));
  }

  List<ConfigNode> objectList(String key) {
    JsonNode v = required(key);
    if (!v.isArray()) {
      throw fail(key, describe(v) + " (expected: a list)");
    }
    List<ConfigNode> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      out.add(new ConfigNode(source, keyPath(key) + "[" + i + "]", v.get(i)));
    }
    return out;
  }

  private JsonNode required(String key) {
    JsonNode v = node.get(key);
    if (v == null) {
      throw fail(key, "missing (expected: a value)");
    }
    return v;
  }

  private static String describe(JsonNode v) {
    if (v == null || v.isMissingNode()) {
      return "missing";
    }
    if (v.isNull()) {
      return "null";
    }
    if (v.isTextual()) {
      return "'" + v.asText() + "'";
    }
    return v.isContainerNode() ? v.getNodeType().name().toLowerCase() : v.asText();
  }
}
