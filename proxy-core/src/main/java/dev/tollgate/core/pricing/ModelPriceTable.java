package dev.tollgate.core.pricing;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tollgate.core.usage.TokenUsage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Token prices by provider and model ({@code config/models.yaml}), with alias and dated-name matching
 * ({@code gpt-4o-2024-08-06} is priced as {@code gpt-4o}). Immutable; lookups allocate nothing beyond a
 * lower-case copy of mixed-case names and run on the event loop (usage tap, budget stage).
 */
public final class ModelPriceTable {

  /** Returned by the cost methods when the provider or model is not in the table. */
  public static final long UNKNOWN = -1;

  private static final Set<String> TOP_KEYS = Set.of("providers");
  private static final Set<String> PROVIDER_KEYS = Set.of("inputAccounting", "models");
  private static final Set<String> MODEL_KEYS = Set.of(
      "input", "cachedInput", "cacheWrite", "output", "audioInput", "audioOutput", "aliases");
  private static final BigDecimal NANOS_PER_MICRO = BigDecimal.valueOf(1_000);

  private final Map<String, ProviderPrices> providers;

  private ModelPriceTable(Map<String, ProviderPrices> providers) {
    this.providers = Map.copyOf(providers);
  }

  /** Loads {@code file}; errors name the file and the key path. */
  public static ModelPriceTable load(Path file) {
    try {
      return parse(file.toString(), Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot read price table", e);
    }
  }

  /** Parses {@code yaml}; {@code source} names it in error messages. */
  public static ModelPriceTable parse(String source, String yaml) {
    YAMLFactory factory = new YAMLFactory();
    factory.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    JsonNode root;
    try {
      root = new ObjectMapper(factory).readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(source + ": invalid YAML: " + e.getOriginalMessage(), e);
    }
    requireMapping(source, "(root)", root);
    requireOnlyKeys(source, "", root, TOP_KEYS);
    JsonNode providersNode = root.get("providers");
    requireMapping(source, "providers", providersNode);
    Map<String, ProviderPrices> providers = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = providersNode.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> provider = it.next();
      String providerPath = "providers." + provider.getKey();
      providers.put(provider.getKey(), provider(source, providerPath, provider.getKey(), provider.getValue()));
    }
    return new ModelPriceTable(providers);
  }

  /** The prices for {@code model} at {@code provider}, or null when unknown. */
  public ModelPrice price(String provider, String model) {
    ProviderPrices prices = providers.get(provider);
    if (prices == null || model == null) {
      return null;
    }
    ModelPrice exact = prices.exact.get(model);
    if (exact != null) {
      return exact;
    }
    String name = model.toLowerCase(Locale.ROOT);
    exact = prices.exact.get(name);
    if (exact != null) {
      return exact;
    }
    // Longest listed name that the model starts with, followed by '-': dated and suffixed variants.
    for (int i = 0; i < prices.prefixes.size(); i++) {
      String prefix = prices.prefixNames.get(i);
      if (name.length() > prefix.length() && name.startsWith(prefix) && name.charAt(prefix.length()) == '-') {
        return prices.prefixes.get(i);
      }
    }
    return null;
  }

  /** The cost of {@code usage} in micro-USD, or {@link #UNKNOWN}. */
  public long cost(String provider, String model, TokenUsage usage) {
    ModelPrice price = price(provider, model);
    return price == null ? UNKNOWN : price.costMicroUsd(usage);
  }

  /** The most a call can cost in micro-USD (see {@link ModelPrice#worstCaseCostMicroUsd}), or {@link #UNKNOWN}. */
  public long worstCaseCost(String provider, String model, long promptTokensEstimate, long maxTokens) {
    ModelPrice price = price(provider, model);
    return price == null ? UNKNOWN : price.worstCaseCostMicroUsd(promptTokensEstimate, maxTokens);
  }

  private static ProviderPrices provider(String source, String path, String provider, JsonNode node) {
    requireMapping(source, path, node);
    requireOnlyKeys(source, path, node, PROVIDER_KEYS);
    JsonNode accounting = node.get("inputAccounting");
    if (accounting == null || !Set.of("inclusive", "disjoint").contains(accounting.asText())) {
      throw new IllegalArgumentException(source + ": " + path + ".inputAccounting: "
          + (accounting == null ? "missing" : "'" + accounting.asText() + "'") + " (expected: inclusive or disjoint)");
    }
    boolean inclusive = accounting.asText().equals("inclusive");
    JsonNode models = node.get("models");
    requireMapping(source, path + ".models", models);
    Map<String, ModelPrice> exact = new HashMap<>();
    List<ModelPrice> listed = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = models.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String model = entry.getKey();
      String modelPath = path + ".models." + model;
      JsonNode m = entry.getValue();
      requireMapping(source, modelPath, m);
      requireOnlyKeys(source, modelPath, m, MODEL_KEYS);
      long input = rate(source, modelPath, m, "input", null);
      long output = rate(source, modelPath, m, "output", null);
      ModelPrice price = new ModelPrice(provider, model, inclusive, input,
          rate(source, modelPath, m, "cachedInput", input), rate(source, modelPath, m, "cacheWrite", input),
          output, rate(source, modelPath, m, "audioInput", input), rate(source, modelPath, m, "audioOutput", output));
      listed.add(price);
      putUnique(source, modelPath, exact, model.toLowerCase(Locale.ROOT), price);
      JsonNode aliases = m.get("aliases");
      if (aliases != null) {
        if (!aliases.isArray()) {
          throw new IllegalArgumentException(source + ": " + modelPath + ".aliases: (expected: a list of names)");
        }
        for (int i = 0; i < aliases.size(); i++) {
          putUnique(source, modelPath + ".aliases[" + i + "]", exact, aliases.get(i).asText().toLowerCase(Locale.ROOT), price);
        }
      }
    }
    listed.sort(Comparator.comparingInt((ModelPrice p) -> p.model().length()).reversed());
    return new ProviderPrices(exact, listed);
  }

  private static long rate(String source, String path, JsonNode model, String key, Long fallback) {
    JsonNode v = model.get(key);
    if (v == null) {
      if (fallback == null) {
        throw new IllegalArgumentException(source + ": " + path + "." + key + ": missing (expected: USD per 1M tokens)");
      }
      return fallback;
    }
    if (!v.isNumber() || v.decimalValue().signum() < 0) {
      throw new IllegalArgumentException(
          source + ": " + path + "." + key + ": " + v.asText() + " (expected: a price >= 0)");
    }
    BigDecimal nanos = v.decimalValue().multiply(NANOS_PER_MICRO);
    try {
      return nanos.longValueExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          source + ": " + path + "." + key + ": " + v.asText() + " (expected: at most 3 decimals)");
    }
  }

  private static void putUnique(String source, String path, Map<String, ModelPrice> exact, String name, ModelPrice price) {
    if (exact.putIfAbsent(name, price) != null) {
      throw new IllegalArgumentException(source + ": " + path + ": '" + name + "' (expected: a name listed once)");
    }
  }

  private static void requireMapping(String source, String path, JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(source + ": " + path + ": " + (node == null ? "missing" : node.getNodeType())
          + " (expected: a mapping)");
    }
  }

  private static void requireOnlyKeys(String source, String path, JsonNode node, Set<String> allowed) {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw new IllegalArgumentException(source + ": " + (path.isEmpty() ? "" : path + ".") + name
            + ": unknown key (expected one of " + new TreeSet<>(allowed) + ")");
      }
    }
  }

  private static final class ProviderPrices {
    final Map<String, ModelPrice> exact;
    final List<ModelPrice> prefixes;
    final List<String> prefixNames;

    ProviderPrices(Map<String, ModelPrice> exact, List<ModelPrice> longestFirst) {
      this.exact = Map.copyOf(exact);
      this.prefixes = List.copyOf(longestFirst);
      this.prefixNames = longestFirst.stream().map(p -> p.model().toLowerCase(Locale.ROOT)).toList();
    }
  }
}
