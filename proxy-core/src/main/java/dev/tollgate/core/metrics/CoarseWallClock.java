package dev.tollgate.core.metrics;

import io.micrometer.core.instrument.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The meter registry's clock: the wall time as of the last tick, at most {@link #TICK_MILLIS} old, and
 * the exact monotonic time. Micrometer reads the wall time on every record of a timer, twice (its
 * maximum's and its histogram's windows each check whether to rotate), only to compare it with a
 * rotation every 40 seconds; a field read replaces those two clock reads per request. One daemon thread
 * per process refreshes the field; it does nothing else. Thread-safe.
 */
final class CoarseWallClock implements Clock {

  static final long TICK_MILLIS = 100;
  static final CoarseWallClock INSTANCE = new CoarseWallClock();

  private volatile long wallMillis = System.currentTimeMillis();

  private CoarseWallClock() {
    Thread ticker = new Thread(this::tick, "tollgate-coarse-clock");
    ticker.setDaemon(true);
    ticker.start();
  }

  private void tick() {
    while (true) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
      wallMillis = System.currentTimeMillis();
    }
  }

  @Override
  public long wallTime() {
    return wallMillis;
  }

  @Override
  public long monotonicTime() {
    return System.nanoTime();
  }
}
