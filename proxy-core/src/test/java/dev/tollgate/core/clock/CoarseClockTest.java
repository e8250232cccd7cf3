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

  @Test
  void aNanoTimeReadingBecomesTheWallTimeItWasReadAt() throws InterruptedException {
    for (int i = 0; i < 5; i++) {
      long before = System.currentTimeMillis();
      long derived = CoarseClock.wallMillisAt(System.nanoTime());
      long after = System.currentTimeMillis();
      // to the millisecond, give or take the clocks' own drift since the last tick
      assertThat(derived).isBetween(before - 2, after + 2);
      Thread.sleep(37);
    }
    long anHourLater = System.nanoTime() + 3_600_000_000_000L;
    assertThat(CoarseClock.wallMillisAt(anHourLater) - CoarseClock.wallMillisAt(System.nanoTime()))
        .isBetween(3_600_000L - 2, 3_600_000L + 1);
  }
}
