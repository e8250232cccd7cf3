package dev.tollgate.core.plan;

/**
 * What a plan says about one request's route: allowed or not, the units it counts, its cache TTL and,
 * when refused, the cheapest plan that would allow it. Instances are precomputed, so
 * {@link Plan#allowsRoute} allocates nothing.
 *
 * @param rule the matching rule, or null when no rule matched (the catalogue's default weight applies)
 * @param requiredPlan when not allowed, the name of the cheapest plan that allows the route
 */
public record RouteAccess(
    boolean allowed, int weight, int cacheTtlSeconds, RouteRule rule, String requiredPlan) {

  private static final RouteAccess[] UNMATCHED = {
      new RouteAccess(true, 0, 0, null, null), new RouteAccess(true, 1, 0, null, null)};

  /** The answer for a route no rule matches: allowed, counting {@code weight} units, not cached. */
  static RouteAccess unmatched(int weight) {
    return weight < UNMATCHED.length ? UNMATCHED[weight] : new RouteAccess(true, weight, 0, null, null);
  }
}
