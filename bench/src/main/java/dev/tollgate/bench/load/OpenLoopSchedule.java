package dev.tollgate.bench.load;

/**
 * The intended send times of one connection's share of an open-loop schedule: request {@code n} of the whole
 * run is due at {@code startNanos + n / ratePerSecond}, and lane {@code k} of {@code lanes} owns every request
 * with {@code n % lanes == k}. Pure arithmetic, so a test can drive it with any clock. Not thread-safe; each lane
 * is used by one event loop.
 */
final class OpenLoopSchedule {

  private final long startNanos;
  private final long endNanos;
  private final double intervalNanos;
  private final int lanes;
  private long nextSequence;

  OpenLoopSchedule(double ratePerSecond, long startNanos, long endNanos, int lane, int lanes) {
    if (!(ratePerSecond > 0)) {
      throw new IllegalArgumentException("ratePerSecond: " + ratePerSecond + " (expected: > 0)");
    }
    if (lane < 0 || lane >= lanes) {
      throw new IllegalArgumentException("lane: " + lane + " (expected: 0.." + (lanes - 1) + ")");
    }
    this.startNanos = startNanos;
    this.endNanos = endNanos;
    this.intervalNanos = 1e9 / ratePerSecond;
    this.lanes = lanes;
    this.nextSequence = lane;
  }

  /** The intended send time of request {@code sequence} of the whole run. */
  long intendedNanos(long sequence) {
    return startNanos + (long) (sequence * intervalNanos);
  }

  /** The intended time of this lane's next unreleased request, or {@link Long#MAX_VALUE} after the end. */
  long nextIntendedNanos() {
    long next = intendedNanos(nextSequence);
    return next < endNanos ? next : Long.MAX_VALUE;
  }

  /** Takes this lane's next request if it is due at {@code nowNanos}; returns its intended time, or -1. */
  long takeDue(long nowNanos) {
    long next = nextIntendedNanos();
    if (next == Long.MAX_VALUE || next > nowNanos) {
      return -1;
    }
    nextSequence += lanes;
    return next;
  }
}
