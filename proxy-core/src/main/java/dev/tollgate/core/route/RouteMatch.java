package dev.tollgate.core.route;

import dev.tollgate.core.config.ProviderConfig;
import dev.tollgate.core.error.ErrorDialect;

/**
 * Where a request goes: the provider (name and config), the operation, and the path and query to send
 * upstream (provider base path + {@code /v1/...} + the client's query string, unchanged).
 */
public record RouteMatch(
    String providerName,
    ProviderConfig provider,
    ProviderEndpoint endpoint,
    Operation operation,
    String upstreamUri,
    String clientPath) {

  public ErrorDialect dialect() {
    return endpoint.dialect();
  }
}
