package dev.tollgate.core.alert;

/**
 * How {@link WebhookSender} retries a failing receiver: exponential backoff from {@code baseDelayMillis},
 * doubled per attempt up to {@code maxDelayMillis}, with equal jitter (half fixed, half random), for at
 * most {@code maxAttempts} attempts in all.
 */
public record RetryPolicy(int maxAttempts, long baseDelayMillis, long maxDelayMillis, long requestTimeoutMillis) {

  /** Five attempts over about a minute, 10 s per request. */
  public static final RetryPolicy DEFAULT = new RetryPolicy(5, 2_000, 30_000, 10_000);

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts: " + maxAttempts + " (expected: >= 1)");
    }
    if (baseDelayMillis < 1) {
      throw new IllegalArgumentException("baseDelayMillis: " + baseDelayMillis + " (expected: >= 1)");
    }
    if (maxDelayMillis < baseDelayMillis) {
      throw new IllegalArgumentException(
          "maxDelayMillis: " + maxDelayMillis + " (expected: >= baseDelayMillis " + baseDelayMillis + ")");
    }
    if (requestTimeoutMillis < 1) {
      throw new IllegalArgumentException("requestTimeoutMillis: " + requestTimeoutMillis + " (expected: >= 1)");
    }
  }

  /** The delay before attempt {@code attempt + 1}, given a random value in [0, 1). */
  long delayMillisAfter(int attempt, double random) {
    long exponential = baseDelayMillis << Math.min(attempt - 1, 30);
    long capped = exponential <= 0 ? maxDelayMillis : Math.min(exponential, maxDelayMillis);
    long half = capped / 2;
    return half + (long) (random * (capped - half + 1));
  }
}
