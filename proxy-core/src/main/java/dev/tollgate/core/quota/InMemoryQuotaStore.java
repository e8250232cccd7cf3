package dev.tollgate.core.quota;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link QuotaStore} in process memory, for the embedded single-node mode and for tests that
 * simulate several nodes sharing one store. Lock-free; counts its writes so tests and the bench can
 * report store writes per request.
 */
public final class InMemoryQuotaStore implements QuotaStore {

  private final ConcurrentHashMap<String, AtomicLong> counters = new ConcurrentHashMap<>();
  private final LongAdder writes = new LongAdder();

  @Override
  public long tryTakeLease(String counterKey, long wanted, long hardLimit) {
    if (wanted <= 0) {
      return 0;
    }
    AtomicLong counter = counters.computeIfAbsent(counterKey, k -> new AtomicLong());
    while (true) {
      long current = counter.get();
      long granted = Math.min(wanted, Math.max(0, hardLimit - current));
      if (granted == 0) {
        return 0;
      }
      if (counter.compareAndSet(current, current + granted)) {
        writes.increment();
        return granted;
      }
    }
  }

  @Override
  public void returnUnused(String counterKey, long units) {
    if (units <= 0) {
      return;
    }
    AtomicLong counter = counters.get(counterKey);
    if (counter == null) {
      return;
    }
    counter.accumulateAndGet(units, (current, returned) -> Math.max(0, current - returned));
    writes.increment();
  }

  @Override
  public long used(String counterKey) {
    AtomicLong counter = counters.get(counterKey);
    return counter == null ? 0 : counter.get();
  }

  /** Store writes so far (lease takes that granted something, and returns). */
  public long writes() {
    return writes.sum();
  }
}
