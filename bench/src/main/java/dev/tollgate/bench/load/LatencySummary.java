package dev.tollgate.bench.load;

import org.HdrHistogram.Histogram;

/**
 * Percentiles of a latency histogram in microseconds. Immutable.
 *
 * @param count       values recorded
 * @param p50Micros   median
 * @param maxMicros   the largest value recorded
 */
public record LatencySummary(long count, long p50Micros, long p90Micros, long p99Micros, long p999Micros,
    long maxMicros, double meanMicros) {

  /** Reads the percentiles of a histogram whose values are microseconds. */
  public static LatencySummary of(Histogram micros) {
    if (micros.getTotalCount() == 0) {
      return new LatencySummary(0, 0, 0, 0, 0, 0, 0);
    }
    return new LatencySummary(micros.getTotalCount(), micros.getValueAtPercentile(50),
        micros.getValueAtPercentile(90), micros.getValueAtPercentile(99), micros.getValueAtPercentile(99.9),
        micros.getMaxValue(), micros.getMean());
  }
}
