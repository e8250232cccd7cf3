package dev.tollgate.core.audit;

import java.util.Objects;

/**
 * Something worth auditing, before the chain gives it a sequence number, a time and hashes. Never put a
 * secret in any field: {@code target} names things (a key id, a secret name), it never holds values.
 *
 * @param actor who did it: an admin principal, a key id, {@code "gateway"} for the gateway itself
 * @param tenantId the tenant concerned, or null for gateway-wide actions
 * @param action dotted verb, e.g. {@code vault.secret.put}, {@code auth.failure}
 * @param target what it was done to, or null
 * @param sourceAddress the client's address, or null
 */
public record AuditEvent(
    String actor, String tenantId, String action, String target, String sourceAddress, AuditOutcome outcome) {

  public AuditEvent {
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(outcome, "outcome");
  }
}
