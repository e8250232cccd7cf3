package dev.tollgate.core.concurrency;

import dev.tollgate.core.context.RequestContext;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts requests (or streams, or realtime sessions) in flight per key, e.g. a tenant or an API key,
 * and refuses past a maximum. Lock-free; the concurrency stage acquires on the event loop, and the
 * {@link Slot} may be released from any thread, exactly once however many paths call it.
 */
public final class InFlightCounter {

  /** Value of an evicted counter: acquirers that still hold it look it up again. */
  private static final int DEAD = -1;

  private final ConcurrentHashMap<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

  /** A slot for {@code key}, or null when {@code maxInFlight} are already in flight. */
  public Slot tryAcquire(String key, int maxInFlight) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight: " + maxInFlight + " (expected: > 0)");
    }
    while (true) {
      AtomicInteger counter = counter(key);
      int current = counter.get();
      if (current == DEAD) {
        inFlight.remove(key, counter);
        continue;
      }
      if (current >= maxInFlight) {
        return null;
      }
      if (counter.compareAndSet(current, current + 1)) {
        return new Slot(counter);
      }
    }
  }

  /** Requests in flight for {@code key} right now. */
  public int inFlight(String key) {
    AtomicInteger counter = inFlight.get(key);
    return counter == null ? 0 : Math.max(0, counter.get());
  }

  /** Drops keys with nothing in flight; call from a scheduled task to bound memory. */
  public int evictIdle() {
    int evicted = 0;
    for (var entry : inFlight.entrySet()) {
      // Marking DEAD first makes a racing tryAcquire fail its CAS instead of counting on a removed counter.
      if (entry.getValue().compareAndSet(0, DEAD)) {
        inFlight.remove(entry.getKey(), entry.getValue());
        evicted++;
      }
    }
    return evicted;
  }

  private AtomicInteger counter(String key) {
    AtomicInteger counter = inFlight.get(key);
    return counter != null ? counter : inFlight.computeIfAbsent(key, k -> new AtomicInteger());
  }

  /**
   * One acquired place in flight. {@link #release()} is idempotent: the first call frees the place,
   * later calls (for example from both the completion and the disconnect path) do nothing. As a
   * request's completion hook it frees the place when the request ends.
   */
  public static final class Slot implements RequestContext.CompletionHook {

    /** Sets the released flag once; a field rather than an AtomicBoolean saves an object per request. */
    private static final VarHandle RELEASED;

    static {
      try {
        RELEASED = MethodHandles.lookup().findVarHandle(Slot.class, "released", boolean.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private final AtomicInteger counter;
    private volatile boolean released;

    private Slot(AtomicInteger counter) {
      this.counter = counter;
    }

    /** Frees the place; true for the call that actually freed it. */
    public boolean release() {
      if (!RELEASED.compareAndSet(this, false, true)) {
        return false;
      }
      counter.decrementAndGet();
      return true;
    }

    public boolean isReleased() {
      return released;
    }

    @Override
    public void onComplete(RequestContext request) {
      release();
    }
  }
}
