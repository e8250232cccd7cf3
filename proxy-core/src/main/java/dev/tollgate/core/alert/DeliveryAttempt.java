package dev.tollgate.core.alert;

import static java.util.Objects.requireNonNull;

/**
 * One attempt to deliver an alert webhook, as recorded by {@link AlertStore}. Carries no URL and no
 * secret: a Slack webhook URL is itself a credential.
 *
 * @param eventId the {@code Tollgate-Event-Id}, the same on every attempt of one event
 * @param tenantId the tenant the alert is about
 * @param attempt 1 for the first attempt of this delivery
 * @param statusCode the receiver's HTTP status, 0 when no response came (timeout, connect error)
 * @param outcome what this attempt led to
 * @param detail the exception class on network errors, else empty
 * @param atMillis when the attempt ended
 */
public record DeliveryAttempt(
    String eventId, String tenantId, int attempt, int statusCode, Outcome outcome, String detail, long atMillis) {

  public DeliveryAttempt {
    requireNonNull(eventId, "eventId");
    requireNonNull(tenantId, "tenantId");
    requireNonNull(outcome, "outcome");
    requireNonNull(detail, "detail");
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt: " + attempt + " (expected: >= 1)");
    }
  }

  /** What one attempt led to. */
  public enum Outcome {
    /** The receiver answered 2xx. */
    DELIVERED,
    /** A retryable failure (5xx, 429, timeout, connect error); another attempt follows. */
    RETRYING,
    /** A retryable failure on the last allowed attempt. */
    GAVE_UP,
    /** A 4xx other than 429 (or a 3xx): the receiver refused the event; it is not retried. */
    REJECTED
  }
}
