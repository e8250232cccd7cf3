package dev.tollgate.bench.realtime;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One realtime load run: {@code sessions} WebSockets to {@code url}, each keeping {@code inFlight} text frames
 * of {@code frameBytes} unanswered, measured for {@code duration} after {@code warmup}. Immutable.
 *
 * @param url        ws://host:port/v1/realtime?model=...
 * @param headers    sent with every upgrade request (lower-case names), e.g. authorization
 * @param sessions   WebSocket sessions opened at once
 * @param inFlight   frames sent and not yet answered, per session
 * @param frameBytes size of each client text frame
 * @param threads    event loops of the load client
 * @param timeout    how long a handshake, or a session with no answer, may take before it counts as an error
 */
public record RealtimeLoadConfig(URI url, Map<String, String> headers, int sessions, int inFlight, int frameBytes,
    int threads, Duration duration, Duration warmup, Duration timeout) {

  /** The stamp {@code t=<19 digits>;} leads every frame. */
  static final int MIN_FRAME_BYTES = 22;

  public RealtimeLoadConfig {
    Objects.requireNonNull(url, "url");
    if (!"ws".equals(url.getScheme())) {
      throw new IllegalArgumentException("url: " + url.getScheme() + "://... (expected: ws://host:port/path)");
    }
    headers = Map.copyOf(headers);
    if (sessions < 1) {
      throw new IllegalArgumentException("sessions: " + sessions + " (expected: > 0)");
    }
    if (inFlight < 1) {
      throw new IllegalArgumentException("inFlight: " + inFlight + " (expected: > 0)");
    }
    if (frameBytes < MIN_FRAME_BYTES) {
      throw new IllegalArgumentException("frameBytes: " + frameBytes + " (expected: >= " + MIN_FRAME_BYTES + ")");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads: " + threads + " (expected: > 0)");
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration: " + duration + " (expected: > 0)");
    }
    if (warmup.isNegative()) {
      throw new IllegalArgumentException("warmup: " + warmup + " (expected: >= 0)");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
    }
  }
}
