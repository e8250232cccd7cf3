package dev.tollgate.core.config;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The whole configuration tree, immutable and validated on construction. Loaded from
 * {@code config/gateway.yaml} by the server's ConfigLoader and swapped atomically in
 * {@link ConfigHolder} on reload; a request keeps the snapshot it started with.
 */
public record GatewayConfig(
    ServerConfig server,
    AdminConfig admin,
    StoreConfig store,
    AuthConfig auth,
    UpstreamConfig upstream,
    Map<String, ProviderConfig> providers,
    java.util.List<RouteConfig> routes,
    PlansConfig plans,
    PricingConfig pricing,
    QuotaConfig quota,
    VaultConfig vault,
    MeteringConfig metering,
    RealtimeConfig realtime,
    TurnRelayConfig turn) {

  public GatewayConfig {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(upstream, "upstream");
    Objects.requireNonNull(providers, "providers");
    Objects.requireNonNull(plans, "plans");
    Objects.requireNonNull(pricing, "pricing");
    Objects.requireNonNull(quota, "quota");
    Objects.requireNonNull(vault, "vault");
    Objects.requireNonNull(metering, "metering");
    Objects.requireNonNull(realtime, "realtime");
    Objects.requireNonNull(turn, "turn");
    routes = routes == null ? java.util.List.of() : java.util.List.copyOf(routes);
    providers = java.util.Collections.unmodifiableMap(new TreeMap<>(providers));
    for (String name : providers.keySet()) {
      if (!name.matches("[a-z][a-z0-9-]{0,31}")) {
        throw new IllegalArgumentException("providers." + name + ": bad name (expected: [a-z][a-z0-9-]{0,31})");
      }
      if (name.equals("v1") || name.equals("admin")) {
        throw new IllegalArgumentException("providers." + name + ": reserved name");
      }
    }
    for (RouteConfig route : routes) {
      if (!providers.containsKey(route.provider())) {
        throw new IllegalArgumentException("routes: provider " + route.provider() + " (expected: one of "
            + providers.keySet() + ")");
      }
      if (route.pathPrefix().startsWith("/v1/") || providers.containsKey(route.pathPrefix().split("/")[1])) {
        throw new IllegalArgumentException("routes: pathPrefix " + route.pathPrefix()
            + " (expected: not /v1/ nor a provider prefix)");
      }
    }
    if (!providers.containsKey(upstream.defaultProvider())) {
      throw new IllegalArgumentException("upstream.defaultProvider: " + upstream.defaultProvider()
          + " (expected: one of " + providers.keySet() + ")");
    }
  }

  public ProviderConfig provider(String name) {
    return providers.get(name);
  }
}
