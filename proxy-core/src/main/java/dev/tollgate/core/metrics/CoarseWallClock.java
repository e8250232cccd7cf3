package dev.tollgate.core.metrics;

import dev.tollgate.core.clock.CoarseClock;
import io.micrometer.core.instrument.Clock;

/**
 * The meter registry's clock: {@link CoarseClock}'s wall time, and the exact monotonic time. Micrometer
 * reads the wall time on every record of a timer, twice (its maximum's and its histogram's windows each
 * check whether to rotate), only to compare it with a rotation every 40 seconds.
 */
final class CoarseWallClock implements Clock {

  static final CoarseWallClock INSTANCE = new CoarseWallClock();

  private CoarseWallClock() {
  }

  @Override
  public long wallTime() {
    return CoarseClock.wallMillis();
  }

  @Override
  public long monotonicTime() {
    return System.nanoTime();
  }
}
