package dev.tollgate.bench.load;

import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one run measured: successful responses, errors by kind, and latency histograms in microseconds
 * (intended time to last byte, and to first byte; for stamped streams the relay delay of the first byte after
 * the upstream sent it, one value per stream that carried a stamp). Treat the histograms as read-only.
 */
public record LoadResult(long requests, Map<ErrorKind, Long> errors, double measuredSeconds,
    Histogram latencyMicros, Histogram firstByteMicros, Histogram relayDelayMicros) {

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

  /** Percentiles of the first byte's relay delay; count 0 when no stream carried a stamp. */
  public LatencySummary relayDelay() {
    return LatencySummary.of(relayDelayMicros);
  }
}
