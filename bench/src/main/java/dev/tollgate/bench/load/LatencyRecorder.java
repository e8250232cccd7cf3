package dev.tollgate.bench.load;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Collects outcomes of requests whose intended time lies in the measured window: latency from the intended
 * time to the last byte, time to first byte, the relay delay of a stamped stream's first byte (from the
 * upstream's send-time stamp to its arrival here), and errors by kind. Recording is wait-free and safe from every
 * event loop; {@link #sampleInterval} and {@link #total} are called by the one reporting thread.
 */
final class LatencyRecorder {

  private final LongSupplier nanoClock;
  private volatile long measureFromNanos;
  private final Recorder lastByteMicros = new Recorder(3);
  private final Recorder firstByteMicros = new Recorder(3);
  private final Recorder relayDelayMicros = new Recorder(3);
  private final Histogram lastByteTotal = new Histogram(3);
  private final Histogram firstByteTotal = new Histogram(3);
  private final Histogram relayDelayTotal = new Histogram(3);
  private final Map<ErrorKind, LongAdder> errors = new EnumMap<>(ErrorKind.class);
  private Histogram lastByteInterval;
  private Histogram firstByteInterval;
  private Histogram relayDelayInterval;

  /** Ignores requests intended before {@code measureFromNanos} (the warmup). */
  LatencyRecorder(LongSupplier nanoClock, long measureFromNanos) {
    this.nanoClock = nanoClock;
    this.measureFromNanos = measureFromNanos;
    for (ErrorKind kind : ErrorKind.values()) {
      errors.put(kind, new LongAdder());
    }
  }

  /** Moves the start of the measured window, for example once the warmup schedule is known. */
  void measureFrom(long nanos) {
    measureFromNanos = nanos;
  }

  long nanoTime() {
    return nanoClock.getAsLong();
  }

  /** A successful response completed now; it was intended at {@code intendedNanos}, its first byte came then. */
  void recordSuccess(long intendedNanos, long firstByteNanos) {
    recordSuccess(intendedNanos, firstByteNanos, SseStampParser.NONE);
  }

  /**
   * As {@link #recordSuccess(long, long)}; also records the relay delay {@code firstByteNanos - stampNanos} when
   * the body carried the upstream's send-time stamp ({@code stampNanos} is {@link SseStampParser#NONE} if not).
   * A negative delay (clocks that are not one) is recorded as 0.
   */
  void recordSuccess(long intendedNanos, long firstByteNanos, long stampNanos) {
    if (intendedNanos < measureFromNanos) {
      return;
    }
    long now = nanoClock.getAsLong();
    lastByteMicros.recordValue(Math.max(0, now - intendedNanos) / 1000);
    firstByteMicros.recordValue(Math.max(0, firstByteNanos - intendedNanos) / 1000);
    if (stampNanos != SseStampParser.NONE) {
      relayDelayMicros.recordValue(Math.max(0, firstByteNanos - stampNanos) / 1000);
    }
  }

  /** A request intended at {@code intendedNanos} failed (a negative time means no request: now counts). */
  void recordError(ErrorKind kind, long intendedNanos) {
    long at = intendedNanos >= 0 ? intendedNanos : nanoClock.getAsLong();
    if (at < measureFromNanos) {
      return;
    }
    errors.get(kind).increment();
  }

  /** Moves what was recorded since the last call into the totals; returns that interval's latencies. */
  synchronized Histogram sampleInterval() {
    lastByteInterval = lastByteMicros.getIntervalHistogram(lastByteInterval);
    firstByteInterval = firstByteMicros.getIntervalHistogram(firstByteInterval);
    relayDelayInterval = relayDelayMicros.getIntervalHistogram(relayDelayInterval);
    lastByteTotal.add(lastByteInterval);
    firstByteTotal.add(firstByteInterval);
    relayDelayTotal.add(relayDelayInterval);
    return lastByteInterval;
  }

  /** Latency to the last byte, microseconds, of everything sampled so far. */
  synchronized Histogram total() {
    sampleInterval();
    return lastByteTotal.copy();
  }

  /** Latency to the first byte, microseconds, of everything sampled so far. */
  synchronized Histogram totalFirstByte() {
    sampleInterval();
    return firstByteTotal.copy();
  }

  /** Relay delay of the first byte of stamped streams, microseconds, of everything sampled so far. */
  synchronized Histogram totalRelayDelay() {
    sampleInterval();
    return relayDelayTotal.copy();
  }

  Map<ErrorKind, Long> errors() {
    Map<ErrorKind, Long> counts = new EnumMap<>(ErrorKind.class);
    errors.forEach((kind, adder) -> counts.put(kind, adder.sum()));
    return counts;
  }

  long errorCount() {
    return errors.values().stream().mapToLong(LongAdder::sum).sum();
  }
}
