package dev.tollgate.core.audit;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's door to the audit trail, safe to call from an event loop: records are appended to the
 * hash chain on the store's executor. Authentication failures are rate-limited per source (a flood
 * leaves a summary record, not a full disk); secret uses are recorded once per secret per hour.
 */
public final class AuditLog {

  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

  private final AuditChain chain;
  private final Executor executor;
  private final Clock clock;
  private final AuthFailureAuditLimiter authFailures = new AuthFailureAuditLimiter(20, Duration.ofMinutes(1), 10_000);
  private final SecretUseAuditFilter secretUses = new SecretUseAuditFilter(Duration.ofHours(1), 100_000);

  public AuditLog(AuditChain chain, Executor executor, Clock clock) {
    this.chain = chain;
    this.executor = executor;
    this.clock = clock;
  }

  /** Appends {@code event} asynchronously. */
  public void record(AuditEvent event) {
    executor.execute(() -> {
      try {
        chain.append(event);
      } catch (RuntimeException e) {
        // a sequence mismatch means records were removed from the store behind our back
        log.error("audit append failed for action {} (the stored chain may have been tampered with): {}",
            event.action(), e.toString());
      }
    });
  }

  /** An authentication failure from {@code sourceAddress}; recorded within the per-source allowance. */
  public void authFailure(String sourceAddress, String reason) {
    AuditEvent event = new AuditEvent("anonymous", null, "auth.failure", reason, sourceAddress, AuditOutcome.DENIED);
    for (AuditEvent allowed : authFailures.onFailure(event, clock.instant())) {
      record(allowed);
    }
  }

  /** A provider secret used for a request; recorded on its first use per hour. */
  public void secretUse(String tenantId, String secretName, String actor) {
    if (secretUses.shouldRecord(tenantId, secretName, clock.instant())) {
      record(new AuditEvent(actor, tenantId, "vault.secret.use", secretName, null, AuditOutcome.SUCCESS));
    }
  }

  /** The hash of the newest record this process knows the chain ends with (null before any append). */
  public String headHash() {
    return chain.headHash();
  }

  /** Writes the summaries of suppressed auth failures whose window has closed; call periodically. */
  public void flushSuppressed() {
    for (AuditEvent summary : authFailures.drainExpired(clock.instant())) {
      record(summary);
    }
  }
}
