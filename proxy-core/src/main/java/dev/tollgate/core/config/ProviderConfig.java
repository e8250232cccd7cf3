package dev.tollgate.core.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * One upstream provider: where it lives, how it wants its key, which error dialect its SDK speaks,
 * optional timeouts overriding {@link UpstreamConfig}'s, and whether requests travel as HTTP/2 streams.
 * The API key never appears in {@link #toString()}.
 *
 * @param auth {@code bearer} ({@code Authorization: Bearer}) or {@code x-api-key}
 * @param dialect {@code openai} or {@code anthropic}
 * @param http2 requests as streams of shared HTTP/2 connections (ALPN "h2" on https, prior-knowledge h2c
 *     on http) instead of one HTTP/1.1 connection per request in flight; null means false
 */
public record ProviderConfig(
    String baseUrl,
    String auth,
    String apiKey,
    String dialect,
    Long connectTimeoutMillis,
    Long responseTimeoutMillis,
    Long idleTimeoutMillis,
    Boolean http2) {

  /** A provider over HTTP/1.1 (the default). */
  public ProviderConfig(String baseUrl, String auth, String apiKey, String dialect, Long connectTimeoutMillis,
      Long responseTimeoutMillis, Long idleTimeoutMillis) {
    this(baseUrl, auth, apiKey, dialect, connectTimeoutMillis, responseTimeoutMillis, idleTimeoutMillis, false);
  }

  public ProviderConfig {
    Checks.notBlank("baseUrl", baseUrl);
    URI uri;
    try {
      uri = new URI(baseUrl);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("baseUrl: " + baseUrl + " (expected: an http or https URL)");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw new IllegalArgumentException("baseUrl: " + baseUrl + " (expected: an http or https URL)");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("baseUrl: " + baseUrl + " (expected: no query or fragment)");
    }
    auth = auth == null ? "bearer" : auth;
    if (!auth.equals("bearer") && !auth.equals("x-api-key")) {
      throw new IllegalArgumentException("auth: " + auth + " (expected: bearer or x-api-key)");
    }
    apiKey = apiKey == null ? "" : apiKey;
    dialect = dialect == null ? "openai" : dialect;
    if (!dialect.equals("openai") && !dialect.equals("anthropic")) {
      throw new IllegalArgumentException("dialect: " + dialect + " (expected: openai or anthropic)");
    }
    if (connectTimeoutMillis != null) {
      Checks.positive("connectTimeoutMillis", connectTimeoutMillis);
    }
    if (responseTimeoutMillis != null) {
      Checks.positive("responseTimeoutMillis", responseTimeoutMillis);
    }
    if (idleTimeoutMillis != null) {
      Checks.positive("idleTimeoutMillis", idleTimeoutMillis);
    }
    http2 = http2 != null && http2;
  }

  @Override
  public String toString() {
    return "ProviderConfig[baseUrl=" + baseUrl + ", auth=" + auth + ", apiKey="
        + (apiKey.isEmpty() ? "unset" : "[redacted]") + ", dialect=" + dialect + ", http2=" + http2 + "]";
  }
}
