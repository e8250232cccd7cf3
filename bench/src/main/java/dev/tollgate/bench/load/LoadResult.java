package dev.tollgate.bench.load;

import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one run measured: successful responses, errors by kind, and latency histograms in microseconds
 * (intended time to last byte, and to first byte). Treat the histograms as read-only.
 */
public record LoadResult(long requests, Map<ErrorKind, Long> errors, double measuredSeconds,
    Histogram latencyMicros, Histogram firstByteMicros) {

  public LoadResult {
    errors = Map.copyOf(errors);
  }

  /** Successful responses per second of measured time. */
  public double throughputPerSecond() {
    return measuredSeconds > 0 ? requests / measuredSeconds : 0;
  }

  public long errorCount() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  public LatencySummary latency() {
    return LatencySummary.of(latencyMicros);
  }

  public LatencySummary firstByte() {
    return LatencySummary.of(firstByteMicros);
  }
}
