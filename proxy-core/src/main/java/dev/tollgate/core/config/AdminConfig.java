package dev.tollgate.core.config;

/**
 * The admin and ops listener (admin API, /metrics, /healthz, /readyz). An empty token disables the
 * admin API (every call gets 401) but keeps the ops endpoints. Host and port are not hot-swappable.
 */
public record AdminConfig(String host, int port, String token) {

  public AdminConfig {
    Checks.notBlank("admin.host", host);
    Checks.port("admin.port", port);
    token = token == null ? "" : token;
  }

  public boolean tokenConfigured() {
    return !token.isEmpty();
  }

  @Override
  public String toString() {
    return "AdminConfig[host=" + host + ", port=" + port + ", token=" + (token.isEmpty() ? "unset" : "[redacted]") + "]";
  }
}
