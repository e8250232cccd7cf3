package dev.tollgate.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LatencyRecorderTest {

  private static final long US = 1_000L;

  private final AtomicLong clock = new AtomicLong();

  @Test
  void reportsPercentilesOfKnownLatencies() {
    LatencyRecorder recorder = new LatencyRecorder(clock::get, 0);
    // latencies of 1, 2, ... 1000 µs
    for (long i = 1; i <= 1000; i++) {
      clock.set(i * US);
      recorder.recordSuccess(0, i * US);
    }

    LatencySummary summary = LatencySummary.of(recorder.total());

    assertThat(summary.count()).isEqualTo(1000);
    assertThat(summary.p50Micros()).isEqualTo(500);
    assertThat(summary.p90Micros()).isEqualTo(900);
    assertThat(summary.p99Micros()).isEqualTo(990);
    assertThat(summary.p999Micros()).isEqualTo(999);
    assertThat(summary.maxMicros()).isEqualTo(1000);
    assertThat(summary.meanMicros()).isBetween(500.0, 501.0);
  }

  @Test
  void measuresFirstByteFromTheIntendedTimeToo() {
    LatencyRecorder recorder = new LatencyRecorder(clock::get, 0);
    clock.set(900 * US);

    recorder.recordSuccess(100 * US, 300 * US);

    assertThat(LatencySummary.of(recorder.totalFirstByte()).p50Micros()).isEqualTo(200);
    assertThat(LatencySummary.of(recorder.total()).p50Micros()).isEqualTo(800);
  }

  @Test
  void measuresTheRelayDelayFromTheStampToTheFirstByteOnlyForStampedStreams() {
    LatencyRecorder recorder = new LatencyRecorder(clock::get, 0);
    clock.set(900 * US);

    recorder.recordSuccess(100 * US, 300 * US, 250 * US);
    recorder.recordSuccess(100 * US, 300 * US, SseStampParser.NONE);
    recorder.recordSuccess(100 * US, 300 * US, 400 * US); // a stamp after the arrival counts as no delay

    LatencySummary relayDelay = LatencySummary.of(recorder.totalRelayDelay());
    assertThat(relayDelay.count()).isEqualTo(2);
    assertThat(relayDelay.maxMicros()).isEqualTo(50);
    assertThat(recorder.totalRelayDelay().getMinValue()).isZero();
    assertThat(recorder.total().getTotalCount()).isEqualTo(3);
  }

  @Test
  void ignoresRequestsIntendedDuringTheWarmup() {
    LatencyRecorder recorder = new LatencyRecorder(clock::get, 1_000 * US);
    clock.set(2_000 * US);

    recorder.recordSuccess(999 * US, 1_500 * US);
    recorder.recordError(ErrorKind.TIMEOUT, 999 * US);
    recorder.recordSuccess(1_000 * US, 1_500 * US);
    recorder.recordError(ErrorKind.STATUS_5XX, 1_500 * US);

    assertThat(recorder.total().getTotalCount()).isEqualTo(1);
    assertThat(recorder.errors()).containsEntry(ErrorKind.TIMEOUT, 0L).containsEntry(ErrorKind.STATUS_5XX, 1L);
  }

  @Test
  void sumsIntervalsIntoTheTotal() {
    LatencyRecorder recorder = new LatencyRecorder(clock::get, 0);
    clock.set(10 * US);
    recorder.recordSuccess(0, 0);
    assertThat(recorder.sampleInterval().getTotalCount()).isEqualTo(1);
    recorder.recordSuccess(0, 0);
    recorder.recordSuccess(0, 0);

    assertThat(recorder.sampleInterval().getTotalCount()).isEqualTo(2);
    assertThat(recorder.total().getTotalCount()).isEqualTo(3);
  }

  @Test
  void summarisesAnEmptyHistogramAsZeros() {
    LatencySummary summary = LatencySummary.of(new LatencyRecorder(clock::get, 0).total());

    assertThat(summary).isEqualTo(new LatencySummary(0, 0, 0, 0, 0, 0, 0));
  }
}
