package dev.tollgate.core.clock;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The time as of the last tick, at most {@link #TICK_MILLIS} old: a field read instead of a clock read.
 * For what compares times tens of seconds apart on every request: the key and tenant caches' refresh and
 * expiry (Caffeine reads its ticker twice per lookup), the meter registry's rotation windows
 * (Micrometer reads the wall clock twice per timer record), a pooled provider connection's idle stamp
 * and the provider deadlines (timeouts of seconds, which may pass up to a tick late). Not for what needs
 * the time of one request: latency, rate limits and quota periods read the system clocks. It also turns
 * a {@code System.nanoTime()} reading into wall time ({@link #wallMillisAt}), so a request's start is
 * one clock read. One daemon thread per process refreshes the values; it does nothing else. Thread-safe.
 */
public final class CoarseClock {

  /** The longest the values lag behind the system clocks (plus the ticking thread's scheduling delay). */
  public static final long TICK_MILLIS = 100;

  /** The system clocks as read at one tick, together, so a reader never pairs two ticks' values. */
  private record Tick(long nanoTime, long wallMillis) {
    static Tick now() {
      return new Tick(System.nanoTime(), System.currentTimeMillis());
    }
  }

  private static volatile Tick last = Tick.now();

  static {
    Thread ticker = new Thread(CoarseClock::tick, "tollgate-coarse-clock");
    ticker.setDaemon(true);
    ticker.start();
  }

  private CoarseClock() {
  }

  /** {@link System#currentTimeMillis()} as of the last tick. */
  public static long wallMillis() {
    return last.wallMillis;
  }

  /** {@link System#nanoTime()} as of the last tick: it never goes back. */
  public static long nanoTime() {
    return last.nanoTime;
  }

  /**
   * The wall time, to the millisecond, at which {@link System#nanoTime()} read {@code nanoTime} (a
   * reading of the last tick or after): the last tick's wall time plus the nanoseconds since it. One
   * clock read then gives a request both its start for latency and its wall-clock time. A step of the
   * wall clock (NTP) shows from the next tick on.
   */
  public static long wallMillisAt(long nanoTime) {
    Tick tick = last;
    return tick.wallMillis + Math.floorDiv(nanoTime - tick.nanoTime, 1_000_000L);
  }

  private static void tick() {
    while (true) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
      last = Tick.now();
    }
  }
}
