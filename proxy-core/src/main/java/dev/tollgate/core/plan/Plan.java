package dev.tollgate.core.plan;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One plan of a {@link PlanCatalogue}: price, monthly included units, limits, features and the
 * routes and models it allows. Immutable and safe to share between event loops; the plan gate,
 * rate limit, quota and concurrency stages read it from the request's config snapshot.
 *
 * @param tier position in the catalogue, cheapest first; used for upgrade proposals and premium routes
 * @param priceCents monthly price in minor units of {@code currency}; null only for custom plans quoted per tenant
 * @param includedUnits units included per month (requests, analyses, ...)
 * @param hardCap true when the plan never admits past {@code includedUnits}, even with overage opt-in
 * @param overagePricePer1000Cents price per 1,000 units beyond the included amount, null = no overage offered
 * @param maxProjects null = unlimited
 * @param requestsPerSecond sustained rate per tenant; {@code burst} requests may arrive at once
 * @param requestsPerSecondPerKey sustained rate per API key, with the same burst
 * @param monthlyTokenBudget null = no token budget
 * @param monthlyCostBudgetMicroUsd provider cost budget per month in micro-USD, null = none
 * @param allowedModels {@code provider/model} globs; a request whose model matches none is refused
 * @param maxSubjects distinct subjects (e.g. machines) per tenant and month, null = unlimited
 * @param subjectCooldownSeconds minimum time between two counted requests of the same subject, 0 = none
 * @param custom true when values are negotiated per tenant ({@link #withOverrides})
 */
public record Plan(
    String name,
    int tier,
    boolean custom,
    Long priceCents,
    String currency,
    long includedUnits,
    boolean hardCap,
    Long overagePricePer1000Cents,
    Integer maxProjects,
    int metricsRetentionDays,
    List<Integer> alertThresholdsPercent,
    Features features,
    double requestsPerSecond,
    int burst,
    double requestsPerSecondPerKey,
    int maxConcurrentRequests,
    int maxConcurrentStreams,
    Long monthlyTokenBudget,
    Long monthlyCostBudgetMicroUsd,
    List<String> allowedModels,
    Integer maxSubjects,
    String subjectHeader,
    int subjectCooldownSeconds,
    int defaultRouteWeight,
    List<RouteRule> routeRules) {

  public Plan {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(currency, "currency");
    Objects.requireNonNull(features, "features");
    Objects.requireNonNull(subjectHeader, "subjectHeader");
    alertThresholdsPercent = List.copyOf(alertThresholdsPercent);
    allowedModels = List.copyOf(allowedModels);
    routeRules = List.copyOf(routeRules);
    requireAtLeast("includedUnits", includedUnits, 0);
    requireAtLeast("metricsRetentionDays", metricsRetentionDays, 1);
    requireAtLeast("burst", burst, 1);
    requireAtLeast("maxConcurrentRequests", maxConcurrentRequests, 1);
    requireAtLeast("maxConcurrentStreams", maxConcurrentStreams, 0);
    requireAtLeast("subjectCooldownSeconds", subjectCooldownSeconds, 0);
    requireAtLeast("defaultRouteWeight", defaultRouteWeight, 0);
    if (!(requestsPerSecond > 0)) {
      throw new IllegalArgumentException("requestsPerSecond: " + requestsPerSecond + " (expected: > 0)");
    }
    if (!(requestsPerSecondPerKey > 0)) {
      throw new IllegalArgumentException(
          "requestsPerSecondPerKey: " + requestsPerSecondPerKey + " (expected: > 0)");
    }
    if (priceCents == null && !custom) {
      throw new IllegalArgumentException("priceCents: missing (expected: a price unless custom: true)");
    }
    if (hardCap && overagePricePer1000Cents != null) {
      throw new IllegalArgumentException(
          "overagePricePer1000Cents: " + overagePricePer1000Cents + " (expected: absent when hardCap is true)");
    }
    if (!hardCap && overagePricePer1000Cents == null) {
      throw new IllegalArgumentException(
          "overagePricePer1000Cents: missing (expected: a price when hardCap is false)");
    }
    allowedModels.forEach(Glob::validate);
  }

  /**
   * Whether this plan may call {@code method path}. The answer is precomputed per rule, so this
   * allocates nothing; a refusal names the cheapest plan that would allow the route.
   */
  public RouteAccess allowsRoute(String method, String path) {
    for (int i = 0; i < routeRules.size(); i++) {
      RouteRule rule = routeRules.get(i);
      if (rule.matches(method, path)) {
        return rule.access(tier);
      }
    }
    return RouteAccess.unmatched(defaultRouteWeight);
  }

  /** Units one request to {@code method path} counts against the included amount. */
  public int routeWeight(String method, String path) {
    for (int i = 0; i < routeRules.size(); i++) {
      RouteRule rule = routeRules.get(i);
      if (rule.matches(method, path)) {
        return rule.weight();
      }
    }
    return defaultRouteWeight;
  }

  /** True when {@code provider/model} matches one of the plan's model globs. */
  public boolean allowsModel(String provider, String model) {
    for (int i = 0; i < allowedModels.size(); i++) {
      if (Glob.matches(allowedModels.get(i), provider, model)) {
        return true;
      }
    }
    return false;
  }

  /** True when a tenant on this plan who opted in may be admitted past the included amount. */
  public boolean overageAllowed(boolean tenantOptedIn) {
    return tenantOptedIn && !hardCap && overagePricePer1000Cents != null;
  }

  /** True when the plan limits distinct subjects or imposes a per-subject cooldown. */
  public boolean tracksSubjects() {
    return maxSubjects != null || subjectCooldownSeconds > 0;
  }

  /**
   * This plan with per-tenant values, e.g. {@code {includedUnits: 5000000, priceCents: 150000}} for an
   * Enterprise contract. Keys and checks are those of the catalogue YAML; only custom plans accept it.
   *
   * @throws PlanConfigException naming the override key that is unknown or invalid
   */
  public Plan withOverrides(Map<String, ?> overrides) {
    return PlanSpec.applyOverrides(this, overrides);
  }

  private static void requireAtLeast(String name, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: >= " + min + ")");
    }
  }
}
