package dev.tollgate.core.quota;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Units one request holds against a tenant's monthly quota or budget, from {@link QuotaLedger#reserve}
 * until {@link QuotaLedger#settle} or {@link QuotaLedger#refund}, whichever comes first; later calls are
 * no-ops, so every exit path of a request may call them. Thread-safe.
 */
public final class Reservation {

  /** How a reservation was decided. */
  public enum Outcome {
    /** Admitted; every unit is within the plan's included amount. */
    ADMITTED,
    /** Admitted; {@link #overageUnits()} of its units are billable overage. */
    ADMITTED_OVERAGE,
    /** Refused: the included amount is used up and the plan (or tenant) does not allow overage. */
    REFUSED
  }

  /** Sets the finished flag once; a field rather than an AtomicBoolean saves an object per request. */
  private static final VarHandle FINISHED;

  static {
    try {
      FINISHED = MethodHandles.lookup().findVarHandle(Reservation.class, "finished", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final QuotaLedger.Account account;
  private final Outcome outcome;
  private final long includedUnits;
  private final long overageUnits;
  private final boolean overageAllowed;
  private final long resetAtMillis;
  private volatile boolean finished;
  private volatile long settledIncludedUnits;
  private volatile long settledOverageUnits;

  Reservation(QuotaLedger.Account account, Outcome outcome, long includedUnits, long overageUnits,
      boolean overageAllowed, long resetAtMillis) {
    this.account = account;
    this.outcome = outcome;
    this.includedUnits = includedUnits;
    this.overageUnits = overageUnits;
    this.overageAllowed = overageAllowed;
    this.resetAtMillis = resetAtMillis;
    if (outcome == Outcome.REFUSED) {
      finished = true;
    }
  }

  public Outcome outcome() {
    return outcome;
  }

  public boolean admitted() {
    return outcome != Outcome.REFUSED;
  }

  /** Units reserved within the included amount. */
  public long includedUnits() {
    return includedUnits;
  }

  /** Units reserved as billable overage. */
  public long overageUnits() {
    return overageUnits;
  }

  /** Epoch millis when the period ends and the quota resets; for {@code Retry-After} on a refusal. */
  public long resetAtMillis() {
    return resetAtMillis;
  }

  /** Included units finally charged (after settle; 0 after refund). */
  public long settledIncludedUnits() {
    return settledIncludedUnits;
  }

  /** Billable overage units finally charged (after settle; 0 after refund). */
  public long settledOverageUnits() {
    return settledOverageUnits;
  }

  /** The tenant this reservation belongs to. */
  public String tenantId() {
    return account == null ? null : account.tenantId;
  }

  boolean overageAllowed() {
    return overageAllowed;
  }

  /** True exactly once: for the first caller of settle or refund. */
  boolean claim() {
    return FINISHED.compareAndSet(this, false, true);
  }

  void recordCharged(long chargedIncluded, long chargedOverage) {
    settledIncludedUnits = chargedIncluded;
    settledOverageUnits = chargedOverage;
  }

  @Override
  public String toString() {
    return "Reservation[" + outcome + ", included=" + includedUnits + ", overage=" + overageUnits + "]";
  }
}
