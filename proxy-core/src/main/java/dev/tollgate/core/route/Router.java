package dev.tollgate.core.route;

import dev.tollgate.core.config.GatewayConfig;
import dev.tollgate.core.config.ProviderConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * Maps a request URI to a {@link RouteMatch}, for one config snapshot. {@code /<provider>/v1/**} goes
 * to that configured provider; bare {@code /v1/messages} to the provider named {@code anthropic};
 * any other bare {@code /v1/**} to the default provider; a configured product route prefix (such as
 * {@code /ai/}) to its provider with the path unchanged; the gateway's own realtime endpoints
 * ({@code /session}, {@code /turn-credentials}, {@code /telemetry/ice}, {@code /playground}) to a local
 * operation on the default provider. Thread-safe and immutable.
 */
public final class Router {

  private static final String ANTHROPIC = "anthropic";

  private final GatewayConfig config;
  private final Map<String, ProviderEndpoint> endpoints = new HashMap<>();

  public Router(GatewayConfig config) {
    this.config = config;
    for (Map.Entry<String, ProviderConfig> e : config.providers().entrySet()) {
      endpoints.put(e.getKey(), ProviderEndpoint.of(e.getKey(), e.getValue()));
    }
  }

  public GatewayConfig config() {
    return config;
  }

  /** Returns the route for {@code uri} (path and query as received), or null if nothing matches. */
  public RouteMatch route(String uri) {
    int queryAt = uri.indexOf('?');
    String path = queryAt < 0 ? uri : uri.substring(0, queryAt);
    String query = queryAt < 0 ? "" : uri.substring(queryAt);
    Operation local = localOperation(path);
    if (local != null) {
      // answered by the realtime stage; the default provider is the one /session mints secrets from
      String provider = config.upstream().defaultProvider();
      ProviderEndpoint endpoint = endpoints.get(provider);
      return new RouteMatch(provider, config.provider(provider), endpoint, local,
          endpoint.basePath() + config.realtime().sessionPath(), path);
    }
    for (dev.tollgate.core.config.RouteConfig custom : config.routes()) {
      if (path.startsWith(custom.pathPrefix())) {
        ProviderEndpoint endpoint = endpoints.get(custom.provider());
        return new RouteMatch(custom.provider(), config.provider(custom.provider()), endpoint, Operation.OTHER,
            upstreamUri(endpoint, path, query), path);
      }
    }
    String providerName;
    String v1Path;
    if (path.startsWith("/v1/") || path.equals("/v1")) {
      v1Path = path;
      providerName = isMessages(path) && endpoints.containsKey(ANTHROPIC)
          ? ANTHROPIC
          : config.upstream().defaultProvider();
    } else {
      int second = path.indexOf('/', 1);
      if (second < 0) {
        return null;
      }
      providerName = path.substring(1, second);
      v1Path = path.substring(second);
      if (!v1Path.startsWith("/v1/") && !v1Path.equals("/v1")) {
        return null;
      }
    }
    ProviderEndpoint endpoint = endpoints.get(providerName);
    if (endpoint == null) {
      return null;
    }
    return new RouteMatch(providerName, config.provider(providerName), endpoint, Operation.of(v1Path),
        upstreamUri(endpoint, v1Path, query), path);
  }

  /** The provider's path for {@code path}: the usual request (no base path, no query) makes no new string. */
  private static String upstreamUri(ProviderEndpoint endpoint, String path, String query) {
    String base = endpoint.basePath();
    return base.isEmpty() && query.isEmpty() ? path : base + path + query;
  }

  /** The gateway's own realtime endpoints, or null for a proxied path. */
  private static Operation localOperation(String path) {
    return switch (path) {
      case "/session" -> Operation.REALTIME_SESSION;
      case "/turn-credentials" -> Operation.TURN_CREDENTIALS;
      case "/telemetry/ice" -> Operation.ICE_TELEMETRY;
      case "/playground", "/playground/" -> Operation.PLAYGROUND;
      default -> null;
    };
  }

  private static boolean isMessages(String path) {
    return path.equals("/v1/messages") || path.startsWith("/v1/messages/");
  }
}
