package dev.tollgate.core.clock;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The time as of the last tick, at most {@link #TICK_MILLIS} old: a field read instead of a clock read.
 * For what compares times tens of seconds apart on every request: the key and tenant caches' refresh and
 * expiry (Caffeine reads its ticker twice per lookup) and the meter registry's rotation windows
 * (Micrometer reads the wall clock twice per timer record). Not for what needs the time of one request:
 * latency, rate limits, quota periods and deadlines read the system clocks. One daemon thread per
 * process refreshes both values; it does nothing else. Thread-safe.
 */
public final class CoarseClock {

  /** The longest the values lag behind the system clocks (plus the ticking thread's scheduling delay). */
  public static final long TICK_MILLIS = 100;

  private static volatile long wallMillis = System.currentTimeMillis();
  private static volatile long nanoTime = System.nanoTime();

  static {
    Thread ticker = new Thread(CoarseClock::tick, "tollgate-coarse-clock");
    ticker.setDaemon(true);
    ticker.start();
  }

  private CoarseClock() {
  }

  /** {@link System#currentTimeMillis()} as of the last tick. */
  public static long wallMillis() {
    return wallMillis;
  }

  /** {@link System#nanoTime()} as of the last tick: it never goes back. */
  public static long nanoTime() {
    return nanoTime;
  }

  private static void tick() {
    while (true) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
      nanoTime = System.nanoTime();
      wallMillis = System.currentTimeMillis();
    }
  }
}
