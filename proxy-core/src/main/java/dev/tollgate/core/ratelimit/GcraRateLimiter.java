package dev.tollgate.core.ratelimit;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The generic cell rate algorithm, one theoretical arrival time (TAT) per key: lock-free (one CAS per
 * decision), called by the rate limit stage on the event loop for the tenant and the API key. Memory
 * stays bounded: a key whose bucket is full again carries no state and is evicted.
 */
public final class GcraRateLimiter {

  private static final long NO_STATE = Long.MIN_VALUE;
  private static final long NANOS_PER_MILLI = 1_000_000;

  private final LongSupplier nanoClock;
  private final int maxKeys;
  private final ConcurrentHashMap<String, AtomicLong> arrivals = new ConcurrentHashMap<>();

  /**
   * @param nanoClock monotonic nanoseconds, {@code System::nanoTime} in production
   * @param maxKeys above this many keys, a decision first evicts idle ones
   */
  public GcraRateLimiter(LongSupplier nanoClock, int maxKeys) {
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys: " + maxKeys + " (expected: > 0)");
    }
    this.maxKeys = maxKeys;
  }

  /** Decides one request for {@code key} under {@code limit}, recording it when allowed. */
  public RateLimitDecision tryAcquire(String key, RateLimit limit) {
    return decide(key, limit, true, nanoClock.getAsLong());
  }

  /**
   * Like {@link #tryAcquire}, for a caller that needs the details only when refused: null when the
   * request is allowed (and recorded), which then costs no allocation; else the refusal.
   */
  public RateLimitDecision refusal(String key, RateLimit limit) {
    return decide(key, limit, false, nanoClock.getAsLong());
  }

  /**
   * {@link #refusal(String, RateLimit)} at {@code nowNanos}, a time this limiter's clock gave
   * ({@link #nowNanos}): one request decided under several keys reads the clock once.
   */
  public RateLimitDecision refusal(String key, RateLimit limit, long nowNanos) {
    return decide(key, limit, false, nowNanos);
  }

  /** The time of this limiter's clock. */
  public long nowNanos() {
    return nanoClock.getAsLong();
  }

  private RateLimitDecision decide(String key, RateLimit limit, boolean describeAllowed, long now) {
    long interval = limit.emissionIntervalNanos;
    long tolerance = limit.toleranceNanos;
    while (true) {
      AtomicLong cell = cell(key);
      long tat = cell.get();
      long base = tat == NO_STATE || tat - now < 0 ? now : tat;
      long newTat = base + interval;
      long allowAt = newTat - tolerance;
      if (now - allowAt < 0) {
        long resetNanos = base - now;
        return new RateLimitDecision(false, limit.burst(), 0, ceilMillis(resetNanos), ceilMillis(allowAt - now));
      }
      if (!cell.compareAndSet(tat, newTat)) {
        continue;
      }
      if (arrivals.get(key) != cell) {
        // Evicted between get and CAS: the update went to a detached cell, so decide again.
        continue;
      }
      if (!describeAllowed) {
        return null;
      }
      int remaining = (int) Math.min(limit.burst(), (now - allowAt) / interval);
      return new RateLimitDecision(true, limit.burst(), remaining, ceilMillis(newTat - now), 0);
    }
  }

  /** Drops keys whose bucket is full again (they carry no information); returns how many. */
  public int evictIdle() {
    long now = nanoClock.getAsLong();
    int before = arrivals.size();
    arrivals.values().removeIf(cell -> {
      long tat = cell.get();
      return tat == NO_STATE || tat - now <= 0;
    });
    return before - arrivals.size();
  }

  /** Keys currently tracked. */
  public int size() {
    return arrivals.size();
  }

  private AtomicLong cell(String key) {
    AtomicLong cell = arrivals.get(key);
    if (cell != null) {
      return cell;
    }
    if (arrivals.size() >= maxKeys) {
      evictIdle();
    }
    AtomicLong created = new AtomicLong(NO_STATE);
    AtomicLong raced = arrivals.putIfAbsent(key, created);
    return raced == null ? created : raced;
  }

  private static long ceilMillis(long nanos) {
    return nanos <= 0 ? 0 : (nanos + NANOS_PER_MILLI - 1) / NANOS_PER_MILLI;
  }
}
