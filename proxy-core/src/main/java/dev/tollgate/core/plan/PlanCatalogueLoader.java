package dev.tollgate.core.plan;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a plan catalogue YAML ({@code config/plans/*.yaml}) strictly: unknown keys, negative limits,
 * duplicate plan names, unknown plan references and bad globs fail with the file and key path.
 * Runs at startup and on config reload, never on an event loop.
 */
public final class PlanCatalogueLoader {

  private static final Set<String> CATALOGUE_KEYS =
      Set.of("catalogue", "unit", "currency", "defaultRouteWeight", "routes", "defaults", "plans");
  private static final Set<String> ROUTE_KEYS = Set.of("match", "weight", "allowedFrom", "cacheTtlSeconds");

  private final ObjectMapper mapper;

  public PlanCatalogueLoader() {
    YAMLFactory factory = new YAMLFactory();
    factory.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    this.mapper = new ObjectMapper(factory);
  }

  /** Loads {@code file}; the exception message starts with the path as given. */
  public PlanCatalogue load(Path file) {
    String yaml;
    try {
      yaml = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot read plan catalogue", e);
    }
    return parse(file.toString(), yaml);
  }

  /** Parses {@code yaml}; {@code source} names it in error messages. */
  public PlanCatalogue parse(String source, String yaml) {
    JsonNode root;
    try {
      root = mapper.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new PlanConfigException(source, "invalid YAML: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()), e);
    }
    ConfigNode top = new ConfigNode(source, "", root);
    top.requireOnlyKeys(CATALOGUE_KEYS);
    String name = top.text("catalogue");
    String unit = top.text("unit");
    String currency = top.text("currency");
    int defaultRouteWeight = top.has("defaultRouteWeight") ? top.intAtLeast("defaultRouteWeight", 0) : 1;

    // 1. Plan names and tiers first, so routes can refer to them.
    List<ConfigNode> planNodes = top.objectList("plans");
    if (planNodes.isEmpty()) {
      throw top.fail("plans", "[] (expected: at least one plan)");
    }
    Map<String, Integer> tiers = new LinkedHashMap<>();
    for (int i = 0; i < planNodes.size(); i++) {
      ConfigNode planNode = planNodes.get(i);
      String planName = planNode.text("name");
      if (tiers.putIfAbsent(planName.toLowerCase(Locale.ROOT), i) != null) {
        throw planNode.fail("name", "'" + planName + "' (expected: a name not used by another plan)");
      }
    }

    // 2. Route rules, in file order: the first match wins.
    List<RouteRule> routes = new ArrayList<>();
    if (top.has("routes")) {
      for (ConfigNode routeNode : top.objectList("routes")) {
        routes.add(route(routeNode, tiers));
      }
    }

    // 3. Plans: defaults, then the plan's own keys.
    ConfigNode defaults = null;
    if (top.has("defaults")) {
      defaults = top.object("defaults");
      defaults.requireOnlyKeys(PlanSpec.VALUE_KEYS);
    }
    List<Plan> plans = new ArrayList<>();
    Long previousPrice = null;
    for (int i = 0; i < planNodes.size(); i++) {
      ConfigNode planNode = planNodes.get(i);
      planNode.requireOnlyKeys(PlanSpec.PLAN_KEYS);
      PlanSpec spec = new PlanSpec();
      if (defaults != null) {
        spec.apply(defaults);
      }
      spec.apply(planNode);
      boolean custom = planNode.has("custom") && planNode.bool("custom");
      Plan plan = spec.build(planNode, planNode.text("name"), i, custom, currency, defaultRouteWeight,
          routes);
      if (plan.priceCents() != null) {
        if (previousPrice != null && plan.priceCents() < previousPrice) {
          throw planNode.fail("priceCents",
              plan.priceCents() + " (expected: plans listed cheapest first, >= " + previousPrice + ")");
        }
        previousPrice = plan.priceCents();
      }
      plans.add(plan);
    }
    return new PlanCatalogue(name, unit, currency, defaultRouteWeight, routes, plans);
  }

  private static RouteRule route(ConfigNode node, Map<String, Integer> tiers) {
    node.requireOnlyKeys(ROUTE_KEYS);
    String match = node.text("match").trim();
    String method = "*";
    String path = match;
    int space = match.indexOf(' ');
    if (space > 0) {
      method = match.substring(0, space);
      path = match.substring(space + 1).trim();
      if (!method.equals("*") && !method.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
        throw node.fail("match", "'" + match + "' (expected: an upper-case HTTP method or * before the path)");
      }
    }
    if (!path.startsWith("/")) {
      throw node.fail("match", "'" + match + "' (expected: a path glob starting with /)");
    }
    try {
      Glob.validate(path);
    } catch (IllegalArgumentException e) {
      throw node.fail("match", e.getMessage());
    }
    int weight = node.has("weight") ? node.intAtLeast("weight", 0) : 1;
    int cacheTtlSeconds = node.has("cacheTtlSeconds") ? node.intAtLeast("cacheTtlSeconds", 0) : 0;
    String allowedFrom = node.optionalText("allowedFrom");
    int allowedFromTier = 0;
    if (allowedFrom != null) {
      Integer tier = tiers.get(allowedFrom.toLowerCase(Locale.ROOT));
      if (tier == null) {
        throw node.fail("allowedFrom",
            "'" + allowedFrom + "' (expected: one of the plans " + tiers.keySet() + ")");
      }
      allowedFromTier = tier;
    }
    return new RouteRule(method, path, weight, allowedFrom, allowedFromTier, cacheTtlSeconds);
  }
}
