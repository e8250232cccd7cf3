package dev.tollgate.bench.realtime;

import dev.tollgate.bench.load.LatencySummary;
import java.util.Map;

/**
 * What a realtime load run measured after its warm-up: answered frames, their rate, the round trip of each
 * frame (client send to the answering event's arrival) and the errors by kind. Immutable.
 *
 * @param sessionsOpen sessions whose handshake succeeded
 * @param frames       frames answered in the measured window
 * @param seconds      length of the measured window
 * @param roundTrip    round trip of the answered frames, microseconds
 * @param errors       error counts by kind (connect, handshake, closed, stalled, bad_frame), zero counts left out
 */
public record RealtimeLoadResult(int sessionsOpen, long frames, double seconds, LatencySummary roundTrip,
    Map<String, Long> errors) {

  public RealtimeLoadResult {
    errors = Map.copyOf(errors);
  }

  public double framesPerSecond() {
    return seconds <= 0 ? 0 : frames / seconds;
  }

  public long errorCount() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }
}
