package dev.tollgate.core.clock;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CoarseClockTest {

  @Test
  void bothTimesAdvanceWithTheSystemClocksAndNeverLeadThem() throws InterruptedException {
    long startMillis = System.currentTimeMillis();
    long startNanos = System.nanoTime();
    long wantedNanos = startNanos + 2 * CoarseClock.TICK_MILLIS * 1_000_000;
    long deadline = startMillis + 10_000;
    while ((CoarseClock.nanoTime() < wantedNanos || CoarseClock.wallMillis() < startMillis + 2 * CoarseClock.TICK_MILLIS)
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    long nanos = CoarseClock.nanoTime();
    long millis = CoarseClock.wallMillis();

    assertThat(nanos).isGreaterThanOrEqualTo(wantedNanos).isLessThanOrEqualTo(System.nanoTime());
    assertThat(millis).isGreaterThanOrEqualTo(startMillis + 2 * CoarseClock.TICK_MILLIS)
        .isLessThanOrEqualTo(System.currentTimeMillis());
  }
}
