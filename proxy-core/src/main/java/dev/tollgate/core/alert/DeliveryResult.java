package dev.tollgate.core.alert;

/**
 * How the delivery of one {@link AlertEvent} ended, once {@link WebhookSender} stopped trying.
 *
 * @param attempts the attempts made by this delivery, 0 when it was already delivered
 * @param lastStatusCode the receiver's last HTTP status, 0 when none
 */
public record DeliveryResult(String eventId, Status status, int attempts, int lastStatusCode) {

  /** The end state of a delivery. */
  public enum Status {
    DELIVERED,
    /** An earlier delivery of the same event id succeeded; nothing was sent. */
    ALREADY_DELIVERED,
    /** The receiver answered 4xx (not 429): not retried. */
    REJECTED,
    /** Every allowed attempt failed with a retryable error. */
    GAVE_UP
  }
}
