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
    Map<String, ProviderConfig> providers) {

  public GatewayConfig {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(upstream, "upstream");
    Objects.requireNonNull(providers, "providers");
    providers = java.util.Collections.unmodifiableMap(new TreeMap<>(providers));
    for (String name : providers.keySet()) {
      if (!name.matches("[a-z][a-z0-9-]{0,31}")) {
        throw new IllegalArgumentException("providers." + name + ": bad name (expected: [a-z][a-z0-9-]{0,31})");
      }
      if (name.equals("v1") || name.equals("admin")) {
        throw new IllegalArgumentException("providers." + name + ": reserved name");
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
