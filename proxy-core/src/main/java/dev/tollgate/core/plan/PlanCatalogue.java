package dev.tollgate.core.plan;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A catalogue of plans sold for one metered unit (requests, analyses, ...), cheapest first, with the
 * route rules all its plans share. Immutable; loaded by {@link PlanCatalogueLoader} and read by the
 * plan gate and quota stages from the config snapshot.
 *
 * @param unit what {@link Plan#includedUnits()} counts, e.g. {@code requests} or {@code analyses}
 * @param defaultRouteWeight units a request counts when no route rule matches it
 */
public record PlanCatalogue(
    String name, String unit, String currency, int defaultRouteWeight, List<RouteRule> routes,
    List<Plan> plans) {

  public PlanCatalogue {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(unit, "unit");
    routes = List.copyOf(routes);
    plans = List.copyOf(plans);
    if (plans.isEmpty()) {
      throw new IllegalArgumentException("plans: [] (expected: at least one plan)");
    }
  }

  /** The plan called {@code planName} (case-insensitive). */
  public Optional<Plan> plan(String planName) {
    for (Plan plan : plans) {
      if (plan.name().equalsIgnoreCase(planName)) {
        return Optional.of(plan);
      }
    }
    return Optional.empty();
  }

  /** The next plan up, for an upgrade proposal; empty for the top plan. */
  public Optional<Plan> nextPlanAbove(Plan plan) {
    int next = plan.tier() + 1;
    return next < plans.size() ? Optional.of(plans.get(next)) : Optional.empty();
  }

  /**
   * The cheapest plan above {@code plan} whose included amount is at least {@code unitsNeeded}, for
   * the "upgrade to ..." proposal of a quota refusal; falls back to {@link #nextPlanAbove}.
   */
  public Optional<Plan> cheapestPlanIncluding(Plan plan, long unitsNeeded) {
    for (int i = plan.tier() + 1; i < plans.size(); i++) {
      if (plans.get(i).includedUnits() >= unitsNeeded) {
        return Optional.of(plans.get(i));
      }
    }
    return nextPlanAbove(plan);
  }
}
