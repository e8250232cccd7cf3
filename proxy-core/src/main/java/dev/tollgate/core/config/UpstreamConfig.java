package dev.tollgate.core.config;

/**
 * Defaults for every provider connection: timeouts, pooled-connection idle time, and an optional
 * PEM file of extra trusted certificates (for private or self-signed upstreams).
 *
 * @param responseTimeoutMillis longest wait for the upstream's response headers
 * @param idleTimeoutMillis longest silence between two chunks of a response
 * @param poolIdleMillis how long an idle pooled connection is kept
 */
public record UpstreamConfig(
    String defaultProvider,
    long connectTimeoutMillis,
    long responseTimeoutMillis,
    long idleTimeoutMillis,
    long poolIdleMillis,
    String trustCertFile) {

  public UpstreamConfig {
    Checks.notBlank("upstream.defaultProvider", defaultProvider);
    Checks.positive("upstream.connectTimeoutMillis", connectTimeoutMillis);
    Checks.positive("upstream.responseTimeoutMillis", responseTimeoutMillis);
    Checks.positive("upstream.idleTimeoutMillis", idleTimeoutMillis);
    Checks.positive("upstream.poolIdleMillis", poolIdleMillis);
    trustCertFile = trustCertFile == null || trustCertFile.isBlank() ? null : trustCertFile;
  }
}
