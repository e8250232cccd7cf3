package dev.tollgate.core.ratelimit;

/**
 * One rate-limit answer, with what the response headers need: {@code x-ratelimit-limit} ({@code limit}),
 * {@code x-ratelimit-remaining}, {@code x-ratelimit-reset} and, when refused, {@code Retry-After}.
 *
 * @param limit the burst: requests allowed at once from a full bucket
 * @param remaining requests still allowed right now after this one
 * @param resetMillis time until the bucket is full again
 * @param retryAfterMillis when refused, time until one request is allowed again; 0 when allowed
 */
public record RateLimitDecision(
    boolean allowed, int limit, int remaining, long resetMillis, long retryAfterMillis) {

  /** {@code Retry-After} in whole seconds, rounded up, at least 1 when refused. */
  public long retryAfterSeconds() {
    return allowed ? 0 : Math.max(1, (retryAfterMillis + 999) / 1000);
  }

  /** {@code x-ratelimit-reset} in whole seconds, rounded up. */
  public long resetSeconds() {
    return (resetMillis + 999) / 1000;
  }
}
