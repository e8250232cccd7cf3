package dev.tollgate.core.quota;

import dev.tollgate.core.quota.Reservation.Outcome;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One node's view of one monthly meter (requests, analyses, tokens or cost in micro-USD) for every
 * tenant: it admits against local leases taken atomically from the shared {@link QuotaStore}, so a
 * hard cap is never exceeded across nodes while the common case touches no store. {@link #tryReserve}
 * runs on the event loop and never blocks; store calls run on {@code storeExecutor}.
 *
 * <p>Each tenant has two pools per period: {@code included} (limit = the plan's included amount) and
 * {@code overage} (billable units past it, only for tenants allowed overage). See docs/admission.md.
 */
public final class QuotaLedger {

  /** Limit of the overage pool: effectively unbounded, but far from overflow. */
  static final long OVERAGE_LIMIT = Long.MAX_VALUE / 4;

  private final String meter;
  private final QuotaStore store;
  private final Executor storeExecutor;
  private final long maxLeaseUnits;
  private final long exhaustedRecheckMillis;
  private final Clock clock;
  private final AtomicReference<Period> period = new AtomicReference<>();

  /**
   * @param meter names the counters, e.g. {@code requests}, {@code costMicroUsd}
   * @param storeExecutor runs every (possibly blocking) store call; never an event loop
   * @param maxLeaseUnits the largest lease one node takes at once
   * @param exhaustedRecheckMillis how long a node trusts "the store is at its limit" before asking again
   */
  public QuotaLedger(String meter, QuotaStore store, Executor storeExecutor, long maxLeaseUnits,
      long exhaustedRecheckMillis, Clock clock) {
    this.meter = Objects.requireNonNull(meter, "meter");
    this.store = Objects.requireNonNull(store, "store");
    this.storeExecutor = Objects.requireNonNull(storeExecutor, "storeExecutor");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (maxLeaseUnits < 1) {
      throw new IllegalArgumentException("maxLeaseUnits: " + maxLeaseUnits + " (expected: > 0)");
    }
    if (exhaustedRecheckMillis < 0) {
      throw new IllegalArgumentException(
          "exhaustedRecheckMillis: " + exhaustedRecheckMillis + " (expected: >= 0)");
    }
    this.maxLeaseUnits = maxLeaseUnits;
    this.exhaustedRecheckMillis = exhaustedRecheckMillis;
    this.period.set(newPeriod(clock.millis()));
  }

  /**
   * Decides from the local lease alone, without blocking: a reservation, or null when the store must
   * be asked (then call {@link #reserve}). Event-loop safe.
   *
   * @param limitUnits the plan's included amount for this tenant and period
   * @param overageAllowed true when units past {@code limitUnits} may be admitted as billable overage
   */
  public Reservation tryReserve(String tenantId, long units, long limitUnits, boolean overageAllowed) {
    if (units < 0) {
      throw new IllegalArgumentException("units: " + units + " (expected: >= 0)");
    }
    long now = clock.millis();
    Account account = account(tenantId, limitUnits, now);
    return tryLocal(account, units, overageAllowed, now);
  }

  /**
   * Reserves {@code units}: completed at once when the local lease decides, otherwise completed on the
   * store executor after taking a lease. The caller continues on its own event loop.
   */
  public CompletableFuture<Reservation> reserve(String tenantId, long units, long limitUnits,
      boolean overageAllowed) {
    Reservation local = tryReserve(tenantId, units, limitUnits, overageAllowed);
    if (local != null) {
      return CompletableFuture.completedFuture(local);
    }
    return CompletableFuture.supplyAsync(
        () -> reserveWithStore(tenantId, units, limitUnits, overageAllowed), storeExecutor);
  }

  /**
   * Charges {@code actualUnits} instead of the reserved amount: unused units go back to the local lease;
   * extra units are taken from the local lease when it has them, and the rest is charged to the store
   * asynchronously as far as the limit allows (never past it). Idempotent with {@link #refund}.
   *
   * @return extra units the local lease could not cover (0 normally); the caller logs and meters them
   */
  public long settle(Reservation reservation, long actualUnits) {
    if (actualUnits < 0) {
      throw new IllegalArgumentException("actualUnits: " + actualUnits + " (expected: >= 0)");
    }
    if (!reservation.claim()) {
      return 0;
    }
    Account account = reservation.account;
    long included = reservation.includedUnits();
    long overage = reservation.overageUnits();
    long reserved = included + overage;
    if (actualUnits <= reserved) {
      // Give back overage first: the units that remain charged should be the included ones.
      long unused = reserved - actualUnits;
      long overageBack = Math.min(unused, overage);
      long includedBack = unused - overageBack;
      account.giveBack(includedBack, overageBack);
      reservation.recordCharged(included - includedBack, overage - overageBack);
      return 0;
    }
    long extra = actualUnits - reserved;
    long extraIncluded = takeUpTo(account.included, extra);
    long extraOverage = reservation.overageAllowed() ? takeUpTo(account.overage, extra - extraIncluded) : 0;
    reservation.recordCharged(included + extraIncluded, overage + extraOverage);
    long shortfall = extra - extraIncluded - extraOverage;
    if (shortfall > 0) {
      storeExecutor.execute(() -> account.chargeBeyondLease(shortfall, reservation.overageAllowed()));
    }
    return shortfall;
  }

  /** Returns every reserved unit, e.g. when the upstream call failed. Idempotent with settle. */
  public void refund(Reservation reservation) {
    if (!reservation.claim()) {
      return;
    }
    reservation.account.giveBack(reservation.includedUnits(), reservation.overageUnits());
    reservation.recordCharged(0, 0);
  }

  /**
   * Returns every unused lease to the store, for shutdown; blocks on the store, so call it from the
   * shutdown thread. Later reservations take fresh leases.
   */
  public void returnLeases() {
    Period current = period.get();
    for (Account account : current.accounts.values()) {
      account.close();
    }
    current.accounts.clear();
  }

  /**
   * Returns the leases of tenants with no reservation for {@code idleMillis}, so that near a cap units
   * do not sit on a node that no longer gets traffic. Blocks on the store: call it from a scheduled task.
   */
  public void returnIdleLeases(long idleMillis) {
    long now = clock.millis();
    for (Account account : period.get().accounts.values()) {
      if (now - account.lastUseMillis >= idleMillis) {
        synchronized (account) {
          account.drain();
        }
      }
    }
  }

  /**
   * What {@code tenantId} has consumed this period on all nodes, as far as this node can tell: the
   * shared counters minus the lease this node holds unused. Blocks on the store; call it off the event loop.
   */
  public Consumption consumption(String tenantId) {
    Period current = period.get();
    Account account = current.accounts.get(tenantId);
    long unusedIncluded = account == null ? 0 : account.included.get();
    long unusedOverage = account == null ? 0 : account.overage.get();
    String prefix = meter + ":" + tenantId + ":" + current.key + ":";
    long included = Math.max(0, store.used(prefix + "included") - unusedIncluded);
    long overage = Math.max(0, store.used(prefix + "overage") - unusedOverage);
    return new Consumption(included, overage, unusedIncluded + unusedOverage, current.endMillis);
  }

  /**
   * A tenant's standing in the current period.
   *
   * @param includedUnits units consumed from the included amount (settled or held by requests in flight)
   * @param overageUnits units consumed past it (billable)
   * @param leasedUnits units this node holds in its local lease, not yet used
   */
  public record Consumption(long includedUnits, long overageUnits, long leasedUnits, long resetAtMillis) {
  }

  /** The counter key of {@code tenantId}'s pool ({@code included} or {@code overage}) in the current period. */
  public String counterKey(String tenantId, String pool) {
    return meter + ":" + tenantId + ":" + period.get().key + ":" + pool;
  }

  // --- the local (event-loop) path ---

  private Reservation tryLocal(Account account, long units, boolean overageAllowed, long nowMillis) {
    // 1. Within the included lease: the common case, no store call.
    account.lastUseMillis = nowMillis;
    if (takeExactly(account.included, units)) {
      account.prefetchIfLow(false);
      return new Reservation(account, Outcome.ADMITTED, units, 0, overageAllowed, account.resetAtMillis);
    }
    if (!account.includedExhausted(nowMillis)) {
      return null;
    }
    // 2. The store said the included pool is at its limit: refuse, or use the overage lease.
    if (!overageAllowed) {
      return refusal(account, overageAllowed);
    }
    if (account.included.get() == 0 && takeExactly(account.overage, units)) {
      account.prefetchIfLow(true);
      return new Reservation(account, Outcome.ADMITTED_OVERAGE, 0, units, true, account.resetAtMillis);
    }
    return null;
  }

  // --- the store path (store executor) ---

  private Reservation reserveWithStore(String tenantId, long units, long limitUnits, boolean overageAllowed) {
    Account account = account(tenantId, limitUnits, clock.millis());
    synchronized (account) {
      // 1. Another thread may have refilled while this one waited for the lock.
      if (takeExactly(account.included, units)) {
        return new Reservation(account, Outcome.ADMITTED, units, 0, overageAllowed, account.resetAtMillis);
      }
      // 2. Top up the included lease, unless the store recently said it is at its limit.
      if (!account.includedExhausted(clock.millis())) {
        account.refill(false, units - account.included.get());
        if (takeExactly(account.included, units)) {
          return new Reservation(account, Outcome.ADMITTED, units, 0, overageAllowed, account.resetAtMillis);
        }
      }
      if (!overageAllowed) {
        return refusal(account, false);
      }
      // 3. Overage: use the last included units first, bill the rest.
      long fromIncluded = takeUpTo(account.included, units);
      long rest = units - fromIncluded;
      if (!takeExactly(account.overage, rest)) {
        account.refill(true, rest - account.overage.get());
        if (!takeExactly(account.overage, rest)) {
          account.giveBack(fromIncluded, 0);
          return refusal(account, true);
        }
      }
      Outcome outcome = rest == 0 ? Outcome.ADMITTED : Outcome.ADMITTED_OVERAGE;
      return new Reservation(account, outcome, fromIncluded, rest, true, account.resetAtMillis);
    }
  }

  private Reservation refusal(Account account, boolean overageAllowed) {
    return new Reservation(account, Outcome.REFUSED, 0, 0, overageAllowed, account.resetAtMillis);
  }

  private Account account(String tenantId, long limitUnits, long now) {
    Period current = period.get();
    if (now >= current.endMillis) {
      current = rollOver(current, now);
    }
    Account account = current.accounts.get(tenantId);
    if (account == null || account.limitUnits != limitUnits) {
      // A plan change mid-period gives a new local limit; the shared counter stays the same.
      Period p = current;
      account = current.accounts.compute(tenantId, (id, existing) ->
          existing != null && existing.limitUnits == limitUnits ? existing : replace(existing, id, limitUnits, p));
    }
    return account;
  }

  private Account replace(Account existing, String tenantId, long limitUnits, Period p) {
    if (existing != null) {
      storeExecutor.execute(existing::close);
    }
    return new Account(tenantId, limitUnits, p);
  }

  private Period rollOver(Period old, long now) {
    Period next = newPeriod(now);
    if (period.compareAndSet(old, next)) {
      // Return the old period's unused leases so its counters show what was really used.
      storeExecutor.execute(() -> old.accounts.values().forEach(Account::close));
      return next;
    }
    return period.get();
  }

  private static Period newPeriod(long now) {
    YearMonth month = YearMonth.from(Instant.ofEpochMilli(now).atZone(ZoneOffset.UTC));
    long end = month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    return new Period(month.toString(), end);
  }

  /** Takes {@code units} from {@code lease} only if all are there. */
  private static boolean takeExactly(AtomicLong lease, long units) {
    while (true) {
      long available = lease.get();
      if (available < units) {
        return false;
      }
      if (lease.compareAndSet(available, available - units)) {
        return true;
      }
    }
  }

  /** Takes as many of {@code units} as {@code lease} has. */
  private static long takeUpTo(AtomicLong lease, long units) {
    while (true) {
      long available = lease.get();
      long taken = Math.min(available, units);
      if (taken <= 0) {
        return 0;
      }
      if (lease.compareAndSet(available, available - taken)) {
        return taken;
      }
    }
  }

  private static final class Period {
    final String key;
    final long endMillis;
    final ConcurrentHashMap<String, Account> accounts = new ConcurrentHashMap<>();

    Period(String key, long endMillis) {
      this.key = key;
      this.endMillis = endMillis;
    }
  }

  /** One tenant's local leases in one period. The lock (this) serialises store calls only. */
  final class Account {
    final String tenantId;
    final long limitUnits;
    final long resetAtMillis;
    final String includedKey;
    final String overageKey;
    final AtomicLong included = new AtomicLong();
    final AtomicLong overage = new AtomicLong();
    private final AtomicBoolean prefetching = new AtomicBoolean();
    private volatile long includedExhaustedAtMillis = Long.MIN_VALUE;
    private volatile long lastLeaseUnits;
    private volatile boolean closed;
    volatile long lastUseMillis;

    Account(String tenantId, long limitUnits, Period period) {
      this.tenantId = tenantId;
      this.limitUnits = limitUnits;
      this.resetAtMillis = period.endMillis;
      String prefix = meter + ":" + tenantId + ":" + period.key + ":";
      this.includedKey = prefix + "included";
      this.overageKey = prefix + "overage";
    }

    boolean includedExhausted(long nowMillis) {
      long at = includedExhaustedAtMillis;
      return at != Long.MIN_VALUE && nowMillis - at < exhaustedRecheckMillis;
    }

    /** Takes a lease of at least {@code needed} units from the store; caller holds the lock. */
    void refill(boolean overagePool, long needed) {
      if (closed) {
        return;
      }
      String key = overagePool ? overageKey : includedKey;
      long limit = overagePool ? OVERAGE_LIMIT : limitUnits;
      long wanted = Math.max(needed, leaseSize(key, limit));
      if (wanted <= 0) {
        return;
      }
      long granted = store.tryTakeLease(key, wanted, limit);
      (overagePool ? overage : included).addAndGet(granted);
      lastLeaseUnits = granted;
      if (!overagePool && granted < wanted) {
        includedExhaustedAtMillis = clock.millis();
      }
      if (closed) {
        drain();
      }
    }

    /** Lease size: a quarter of what is left globally, capped, so nodes converge near the cap. */
    private long leaseSize(String key, long limit) {
      if (limit >= OVERAGE_LIMIT) {
        return maxLeaseUnits;
      }
      long remaining = Math.max(0, limit - store.used(key));
      return Math.min(maxLeaseUnits, Math.max(1, (remaining + 3) / 4));
    }

    /** Starts a background refill when the lease is under a quarter of the last one. */
    void prefetchIfLow(boolean overagePool) {
      long available = (overagePool ? overage : included).get();
      if (available > lastLeaseUnits / 4 || (!overagePool && includedExhausted(clock.millis()))) {
        return;
      }
      if (!prefetching.compareAndSet(false, true)) {
        return;
      }
      try {
        storeExecutor.execute(() -> {
          try {
            synchronized (this) {
              if ((overagePool ? overage : included).get() <= lastLeaseUnits / 4) {
                refill(overagePool, 1);
              }
            }
          } finally {
            prefetching.set(false);
          }
        });
      } catch (RuntimeException rejected) {
        prefetching.set(false);
      }
    }

    /** Charges units used past a reservation straight to the store, up to each pool's limit. */
    void chargeBeyondLease(long units, boolean overageAllowed) {
      long charged = store.tryTakeLease(includedKey, units, limitUnits);
      if (overageAllowed && charged < units) {
        store.tryTakeLease(overageKey, units - charged, OVERAGE_LIMIT);
      }
    }

    void giveBack(long includedUnits, long overageUnits) {
      included.addAndGet(includedUnits);
      overage.addAndGet(overageUnits);
      if (closed) {
        // The period ended or the node is stopping: the units belong to the store again.
        storeExecutor.execute(this::drain);
      }
    }

    void close() {
      closed = true;
      drain();
    }

    private void drain() {
      long includedUnits = included.getAndSet(0);
      long overageUnits = overage.getAndSet(0);
      if (includedUnits > 0) {
        store.returnUnused(includedKey, includedUnits);
      }
      if (overageUnits > 0) {
        store.returnUnused(overageKey, overageUnits);
      }
    }
  }
}
