package dev.tollgate.core.quota;

/**
 * The shared counters behind every {@link QuotaLedger}: one per (meter, tenant, period, pool). Calls
 * may block (Redis, SQLite), so {@link QuotaLedger} only calls them from its store executor, never
 * from an event loop. Implementations must be safe for concurrent use by many nodes.
 */
public interface QuotaStore {

  /**
   * Atomically adds up to {@code wanted} units to {@code counterKey} without letting it pass
   * {@code hardLimit}.
   *
   * @return the units granted, {@code 0..wanted}; 0 means the counter is at its limit
   */
  long tryTakeLease(String counterKey, long wanted, long hardLimit);

  /** Gives back {@code units} of a lease that were not used (never below zero). */
  void returnUnused(String counterKey, long units);

  /** The units currently taken from {@code counterKey} (used plus leased), 0 if it does not exist. */
  long used(String counterKey);
}
