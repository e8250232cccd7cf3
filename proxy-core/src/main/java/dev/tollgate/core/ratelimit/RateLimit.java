package dev.tollgate.core.ratelimit;

/**
 * A rate limit: {@code ratePerSecond} sustained, with up to {@code burst} requests at once. Immutable;
 * build one per plan and limit kind (tenant, key) and reuse it, as it precomputes the GCRA intervals.
 */
public final class RateLimit {

  private final double ratePerSecond;
  private final int burst;
  final long emissionIntervalNanos;
  final long toleranceNanos;

  public RateLimit(double ratePerSecond, int burst) {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("ratePerSecond: " + ratePerSecond + " (expected: > 0)");
    }
    if (burst < 1) {
      throw new IllegalArgumentException("burst: " + burst + " (expected: >= 1)");
    }
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.emissionIntervalNanos = Math.max(1, Math.round(1_000_000_000d / ratePerSecond));
    this.toleranceNanos = emissionIntervalNanos * burst;
  }

  public double ratePerSecond() {
    return ratePerSecond;
  }

  public int burst() {
    return burst;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RateLimit other && other.ratePerSecond == ratePerSecond && other.burst == burst;
  }

  @Override
  public int hashCode() {
    return Double.hashCode(ratePerSecond) * 31 + burst;
  }

  @Override
  public String toString() {
    return "RateLimit[ratePerSecond=" + ratePerSecond + ", burst=" + burst + "]";
  }
}
