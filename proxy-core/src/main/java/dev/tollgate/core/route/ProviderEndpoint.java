package dev.tollgate.core.route;

import dev.tollgate.core.config.ProviderConfig;
import dev.tollgate.core.error.ErrorDialect;
import java.net.URI;
import java.util.Locale;

/**
 * A provider's base URL taken apart once per config snapshot, so the hot path never parses URLs:
 * scheme, host, port, base path, the Host header value, the error dialect, and whether requests travel as
 * HTTP/2 streams.
 */
public record ProviderEndpoint(
    String name,
    boolean tls,
    String host,
    int port,
    String basePath,
    String hostHeader,
    ErrorDialect dialect,
    boolean http2) {

  public static ProviderEndpoint of(String name, ProviderConfig config) {
    URI uri = URI.create(config.baseUrl());
    boolean tls = uri.getScheme().toLowerCase(Locale.ROOT).equals("https");
    int port = uri.getPort() != -1 ? uri.getPort() : tls ? 443 : 80;
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    boolean defaultPort = uri.getPort() == -1 || (tls && port == 443) || (!tls && port == 80);
    String hostHeader = defaultPort ? uri.getHost() : uri.getHost() + ":" + port;
    ErrorDialect dialect = config.dialect().equals("anthropic") ? ErrorDialect.ANTHROPIC : ErrorDialect.OPENAI;
    return new ProviderEndpoint(name, tls, uri.getHost(), port, path, hostHeader, dialect, config.http2());
  }
}
