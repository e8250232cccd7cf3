package dev.tollgate.core.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The plan being assembled from a catalogue's {@code defaults}, the plan's own mapping and, for custom
 * plans, per-tenant overrides. Mutable and confined to the loading thread.
 */
final class PlanSpec {

  static final Set<String> FEATURE_KEYS = Set.of("webhooks", "csvExport", "budgets", "slackAlerts", "turn");
  static final Set<String> VALUE_KEYS = Set.of(
      "priceCents", "includedUnits", "hardCap", "overagePricePer1000Cents", "maxProjects",
      "metricsRetentionDays", "alertThresholdsPercent", "features", "requestsPerSecond", "burst",
      "requestsPerSecondPerKey", "maxConcurrentRequests", "maxConcurrentStreams", "monthlyTokenBudget",
      "monthlyCostBudgetUsd", "allowedModels", "maxSubjects", "subjectHeader", "subjectCooldownSeconds");
  static final Set<String> PLAN_KEYS = union(VALUE_KEYS, Set.of("name", "custom"));

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final BigDecimal MICROS_PER_USD = BigDecimal.valueOf(1_000_000);

  Long priceCents;
  boolean priceSet;
  Long includedUnits;
  Boolean hardCap;
  Long overagePricePer1000Cents;
  Long maxProjects;
  boolean maxProjectsSet;
  Integer metricsRetentionDays;
  List<Integer> alertThresholdsPercent = List.of();
  boolean webhooks;
  boolean csvExport;
  boolean budgets;
  boolean slackAlerts;
  boolean turn;
  Double requestsPerSecond;
  Integer burst;
  Double requestsPerSecondPerKey;
  Integer maxConcurrentRequests;
  Integer maxConcurrentStreams;
  Long monthlyTokenBudget;
  Long monthlyCostBudgetMicroUsd;
  List<String> allowedModels = List.of("*/**");
  Long maxSubjects;
  String subjectHeader = "X-Tollgate-Subject";
  int subjectCooldownSeconds;

  /** Reads every key present in {@code node}; absent keys keep their current value. */
  void apply(ConfigNode node) {
    if (node.has("priceCents")) {
      priceCents = node.longAtLeast("priceCents", 0);
    }
    if (node.has("includedUnits")) {
      includedUnits = node.longAtLeast("includedUnits", 0);
    }
    if (node.has("hardCap")) {
      hardCap = node.bool("hardCap");
    }
    if (node.has("overagePricePer1000Cents")) {
      overagePricePer1000Cents = node.limitOrUnlimited("overagePricePer1000Cents", 0);
    }
    if (node.has("maxProjects")) {
      maxProjects = node.limitOrUnlimited("maxProjects", 1);
    }
    if (node.has("metricsRetentionDays")) {
      metricsRetentionDays = node.intAtLeast("metricsRetentionDays", 1);
    }
    if (node.has("alertThresholdsPercent")) {
      alertThresholdsPercent = node.percentList("alertThresholdsPercent");
    }
    if (node.has("features")) {
      ConfigNode features = node.object("features");
      features.requireOnlyKeys(FEATURE_KEYS);
      webhooks = features.has("webhooks") ? features.bool("webhooks") : webhooks;
      csvExport = features.has("csvExport") ? features.bool("csvExport") : csvExport;
      budgets = features.has("budgets") ? features.bool("budgets") : budgets;
      slackAlerts = features.has("slackAlerts") ? features.bool("slackAlerts") : slackAlerts;
      turn = features.has("turn") ? features.bool("turn") : turn;
    }
    if (node.has("requestsPerSecond")) {
      requestsPerSecond = node.positiveNumber("requestsPerSecond");
    }
    if (node.has("burst")) {
      burst = node.intAtLeast("burst", 1);
    }
    if (node.has("requestsPerSecondPerKey")) {
      requestsPerSecondPerKey = node.positiveNumber("requestsPerSecondPerKey");
    }
    if (node.has("maxConcurrentRequests")) {
      maxConcurrentRequests = node.intAtLeast("maxConcurrentRequests", 1);
    }
    if (node.has("maxConcurrentStreams")) {
      maxConcurrentStreams = node.intAtLeast("maxConcurrentStreams", 0);
    }
    if (node.has("monthlyTokenBudget")) {
      monthlyTokenBudget = node.limitOrUnlimited("monthlyTokenBudget", 0);
    }
    if (node.has("monthlyCostBudgetUsd")) {
      monthlyCostBudgetMicroUsd = node.isUnlimited("monthlyCostBudgetUsd")
          ? null
          : node.decimalAtLeastZero("monthlyCostBudgetUsd").multiply(MICROS_PER_USD).longValueExact();
    }
    if (node.has("allowedModels")) {
      allowedModels = node.globList("allowedModels", true);
    }
    if (node.has("maxSubjects")) {
      maxSubjects = node.limitOrUnlimited("maxSubjects", 1);
    }
    if (node.has("subjectHeader")) {
      subjectHeader = node.text("subjectHeader");
    }
    if (node.has("subjectCooldownSeconds")) {
      subjectCooldownSeconds = node.intAtLeast("subjectCooldownSeconds", 0);
    }
  }

  /** Builds the plan; a missing or inconsistent value fails naming {@code node}'s key path. */
  Plan build(ConfigNode node, String name, int tier, boolean custom, String currency,
      int defaultRouteWeight, List<RouteRule> routes) {
    requirePresent(node, "includedUnits", includedUnits);
    requirePresent(node, "hardCap", hardCap);
    requirePresent(node, "metricsRetentionDays", metricsRetentionDays);
    requirePresent(node, "requestsPerSecond", requestsPerSecond);
    requirePresent(node, "burst", burst);
    requirePresent(node, "requestsPerSecondPerKey", requestsPerSecondPerKey);
    requirePresent(node, "maxConcurrentRequests", maxConcurrentRequests);
    requirePresent(node, "maxConcurrentStreams", maxConcurrentStreams);
    try {
      return new Plan(name, tier, custom, priceCents, currency, includedUnits, hardCap,
          overagePricePer1000Cents, maxProjects == null ? null : maxProjects.intValue(),
          metricsRetentionDays, alertThresholdsPercent,
          new Features(webhooks, csvExport, budgets, slackAlerts, turn), requestsPerSecond, burst,
          requestsPerSecondPerKey, maxConcurrentRequests, maxConcurrentStreams, monthlyTokenBudget,
          monthlyCostBudgetMicroUsd, allowedModels, maxSubjects == null ? null : maxSubjects.intValue(),
          subjectHeader, subjectCooldownSeconds, defaultRouteWeight, routes);
    } catch (IllegalArgumentException e) {
      // Plan's own checks say "key: value (expected: ...)"; prefix the plan's path in the file.
      String message = e.getMessage();
      int colon = message.indexOf(": ");
      throw colon < 0 ? node.fail("(plan)", message)
          : node.fail(message.substring(0, colon), message.substring(colon + 2));
    }
  }

  static Plan applyOverrides(Plan plan, Map<String, ?> overrides) {
    String source = "overrides for plan " + plan.name();
    if (!plan.custom()) {
      throw new PlanConfigException(source, "(root)", "plan is not custom (expected: custom: true)");
    }
    JsonNode tree = MAPPER.valueToTree(overrides);
    ConfigNode node = new ConfigNode(source, "", tree);
    node.requireOnlyKeys(VALUE_KEYS);
    PlanSpec spec = from(plan);
    spec.apply(node);
    return spec.build(node, plan.name(), plan.tier(), true, plan.currency(), plan.defaultRouteWeight(),
        plan.routeRules());
  }

  private static PlanSpec from(Plan plan) {
    PlanSpec spec = new PlanSpec();
    spec.priceCents = plan.priceCents();
    spec.includedUnits = plan.includedUnits();
    spec.hardCap = plan.hardCap();
    spec.overagePricePer1000Cents = plan.overagePricePer1000Cents();
    spec.maxProjects = plan.maxProjects() == null ? null : plan.maxProjects().longValue();
    spec.metricsRetentionDays = plan.metricsRetentionDays();
    spec.alertThresholdsPercent = plan.alertThresholdsPercent();
    Features f = plan.features();
    spec.webhooks = f.webhooks();
    spec.csvExport = f.csvExport();
    spec.budgets = f.budgets();
    spec.slackAlerts = f.slackAlerts();
    spec.turn = f.turn();
    spec.requestsPerSecond = plan.requestsPerSecond();
    spec.burst = plan.burst();
    spec.requestsPerSecondPerKey = plan.requestsPerSecondPerKey();
    spec.maxConcurrentRequests = plan.maxConcurrentRequests();
    spec.maxConcurrentStreams = plan.maxConcurrentStreams();
    spec.monthlyTokenBudget = plan.monthlyTokenBudget();
    spec.monthlyCostBudgetMicroUsd = plan.monthlyCostBudgetMicroUsd();
    spec.allowedModels = plan.allowedModels();
    spec.maxSubjects = plan.maxSubjects() == null ? null : plan.maxSubjects().longValue();
    spec.subjectHeader = plan.subjectHeader();
    spec.subjectCooldownSeconds = plan.subjectCooldownSeconds();
    return spec;
  }

  private static void requirePresent(ConfigNode node, String key, Object value) {
    if (value == null) {
      throw node.fail(key, "missing (expected: a value here or in defaults)");
    }
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new HashSet<>(a);
    all.addAll(b);
    return Set.copyOf(all);
  }
}
