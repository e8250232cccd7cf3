package dev.tollgate.core.config;

/**
 * The {@code realtime:} section: the provider's ephemeral-secret endpoint used by {@code POST /session},
 * how long an {@code Idempotency-Key} replays the same session, the gateway session token (HS256 JWT
 * signed with the gateway's own secret, separate from tenants' JWT settings), the per-user TURN rate
 * limit and the WebSocket relay's limits. Never prints the signing secret.
 *
 * @param sessionPath provider path of the ephemeral-secret endpoint (OpenAI GA: {@code /v1/realtime/client_secrets})
 * @param sessionTimeoutMillis longest wait for the provider's ephemeral-secret answer
 * @param idempotencyTtlSeconds how long a repeated {@code Idempotency-Key} returns the same session
 * @param sessionTokenTtlSeconds lifetime of the gateway session token handed to the browser
 * @param sessionTokenSecret HS256 key (at least 32 bytes); empty = a random key per start (tokens then
 *     do not survive a restart and are not accepted by other nodes). Not hot-swappable
 * @param turnRequestsPerSecond sustained {@code /turn-credentials} rate per tenant and user
 * @param turnBurst {@code /turn-credentials} calls allowed at once per tenant and user
 * @param maxFrameBytes largest WebSocket frame relayed (larger: close 1009)
 * @param handshakeTimeoutMillis longest wait for the upstream WebSocket handshake
 */
public record RealtimeConfig(String sessionPath, long sessionTimeoutMillis, long idempotencyTtlSeconds,
    long sessionTokenTtlSeconds, String sessionTokenSecret, double turnRequestsPerSecond, int turnBurst,
    int maxFrameBytes, long handshakeTimeoutMillis) {

  /** Shortest accepted HS256 secret, in bytes (RFC 7518 §3.2). */
  public static final int MIN_SECRET_BYTES = 32;

  public RealtimeConfig {
    Checks.notBlank("realtime.sessionPath", sessionPath);
    if (!sessionPath.startsWith("/")) {
      throw new IllegalArgumentException("realtime.sessionPath: " + sessionPath + " (expected: starts with /)");
    }
    Checks.positive("realtime.sessionTimeoutMillis", sessionTimeoutMillis);
    Checks.positive("realtime.idempotencyTtlSeconds", idempotencyTtlSeconds);
    Checks.positive("realtime.sessionTokenTtlSeconds", sessionTokenTtlSeconds);
    sessionTokenSecret = sessionTokenSecret == null ? "" : sessionTokenSecret;
    if (!sessionTokenSecret.isEmpty()
        && sessionTokenSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("realtime.sessionTokenSecret: too short (expected: >= "
          + MIN_SECRET_BYTES + " bytes, or empty for a generated one)");
    }
    if (!(turnRequestsPerSecond > 0)) {
      throw new IllegalArgumentException("realtime.turnRequestsPerSecond: " + turnRequestsPerSecond
          + " (expected: > 0)");
    }
    Checks.positive("realtime.turnBurst", turnBurst);
    Checks.positive("realtime.maxFrameBytes", maxFrameBytes);
    Checks.positive("realtime.handshakeTimeoutMillis", handshakeTimeoutMillis);
  }

  /** Shipped defaults (the same values as config/gateway.yaml), for tests and embedded use. */
  public static RealtimeConfig defaults() {
    return new RealtimeConfig("/v1/realtime/client_secrets", 10_000, 60, 600, "", 0.5, 5, 1 << 20, 10_000);
  }

  @Override
  public String toString() {
    return "RealtimeConfig[sessionPath=" + sessionPath + ", sessionTimeoutMillis=" + sessionTimeoutMillis
        + ", idempotencyTtlSeconds=" + idempotencyTtlSeconds + ", sessionTokenTtlSeconds=" + sessionTokenTtlSeconds
        + ", sessionTokenSecret=" + (sessionTokenSecret.isEmpty() ? "generated" : "[redacted]")
        + ", turnRequestsPerSecond=" + turnRequestsPerSecond + ", turnBurst=" + turnBurst
        + ", maxFrameBytes=" + maxFrameBytes + ", handshakeTimeoutMillis=" + handshakeTimeoutMillis + "]";
  }
}
