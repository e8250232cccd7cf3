package dev.tollgate.core.alert;

import java.util.List;

/**
 * Remembers which alerts already fired in which period, so a restart does not fire them again, and keeps
 * a record of every webhook delivery attempt. Implementations may block (the SQLite one does): call them
 * on the store executor, never on an event loop.
 */
public interface AlertStore {

  /**
   * Records that {@code alertKey} fired for {@code tenantId} in {@code periodKey}.
   *
   * @return true when this call recorded it first, false when it had already fired
   */
  boolean markFired(String tenantId, String periodKey, String alertKey, long nowMillis);

  /** Whether {@code alertKey} already fired for {@code tenantId} in {@code periodKey}. */
  boolean hasFired(String tenantId, String periodKey, String alertKey);

  /** Appends one delivery attempt to the record. */
  void recordAttempt(DeliveryAttempt attempt);

  /** Every recorded attempt to deliver {@code eventId}, oldest first. */
  List<DeliveryAttempt> attempts(String eventId);

  /** Whether some attempt delivered {@code eventId} (a receiver answered 2xx). */
  default boolean delivered(String eventId) {
    return attempts(eventId).stream().anyMatch(a -> a.outcome() == DeliveryAttempt.Outcome.DELIVERED);
  }
}
