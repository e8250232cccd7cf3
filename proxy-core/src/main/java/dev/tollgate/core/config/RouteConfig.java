package dev.tollgate.core.config;

/**
 * A non-provider-shaped route: requests whose path starts with {@code pathPrefix} (e.g. {@code /ai/})
 * go, path unchanged, to {@code provider}'s base URL. Used for product APIs metered by weighted route
 * rules, such as the analysis catalogue's {@code /ai/analyze/**}.
 */
public record RouteConfig(String pathPrefix, String provider) {

  public RouteConfig {
    Checks.notBlank("routes[].pathPrefix", pathPrefix);
    Checks.notBlank("routes[].provider", provider);
    if (!pathPrefix.startsWith("/") || !pathPrefix.endsWith("/") || pathPrefix.equals("/")) {
      throw new IllegalArgumentException("routes[].pathPrefix: " + pathPrefix + " (expected: like /ai/)");
    }
  }
}
