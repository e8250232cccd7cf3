package dev.tollgate.core.audit;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * Appends audit events to an {@link AuditStore} as a SHA-256 hash chain, and verifies a chain read back. The
 * single writer of a process: {@link #append} is synchronised and blocking, so call it from a worker
 * executor, never from an event loop. (Several nodes need one writer or a store-side sequence: lead's call.)
 */
public final class AuditChain {

  private final AuditStore store;
  private final Clock clock;
  private AuditRecord last;
  private boolean lastLoaded;

  public AuditChain(AuditStore store, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Chains {@code event} after the last stored record, stores it and returns it. */
  public synchronized AuditRecord append(AuditEvent event) {
    Objects.requireNonNull(event, "event");
    if (!lastLoaded) {
      last = store.last().orElse(null);
      lastLoaded = true;
    }
    AuditRecord record = next(last, event, clock.instant());
    store.append(record);
    last = record; // only once stored: a failed append leaves the chain where it was
    return record;
  }

  /**
   * The hash of the newest record this process appended or loaded, or null before the first append:
   * verifying against it also catches the newest records deleted from the store behind our back.
   */
  public synchronized String headHash() {
    return last == null ? null : last.hash();
  }

  /** The record that follows {@code previous} (null for the first), at {@code time} truncated to millis. */
  public static AuditRecord next(AuditRecord previous, AuditEvent event, Instant time) {
    Objects.requireNonNull(event, "event");
    Instant millis = time.truncatedTo(ChronoUnit.MILLIS);
    return previous == null
        ? AuditRecord.chained(1, millis, event, AuditRecord.GENESIS)
        : AuditRecord.chained(previous.seq() + 1, millis, event, previous.hash());
  }

  /** Verifies a whole log, which must start at seq 1. */
  public static AuditVerification verify(Iterable<AuditRecord> records) {
    return verify(records, 1, AuditRecord.GENESIS);
  }

  /**
   * Verifies a log that starts at {@code firstSeq} (for example after old records were archived), trusting
   * {@code prevHashOfFirst} as the hash of the record before it.
   */
  public static AuditVerification verify(Iterable<AuditRecord> records, long firstSeq, String prevHashOfFirst) {
    Objects.requireNonNull(records, "records");
    Objects.requireNonNull(prevHashOfFirst, "prevHashOfFirst");
    long expectedSeq = firstSeq;
    String expectedPrev = prevHashOfFirst;
    long checked = 0;
    for (AuditRecord record : records) {
      if (record.seq() != expectedSeq) {
        return AuditVerification.broken(checked, expectedSeq, "expected seq " + expectedSeq + ", found "
            + record.seq() + " (record deleted or reordered)");
      }
      if (!record.prevHash().equals(expectedPrev)) {
        return AuditVerification.broken(checked, record.seq(),
            "prevHash does not match the hash of seq " + (record.seq() - 1) + " (records edited or replaced)");
      }
      if (!record.computeHash().equals(record.hash())) {
        return AuditVerification.broken(checked, record.seq(), "content does not match its hash (record edited)");
      }
      expectedPrev = record.hash();
      expectedSeq++;
      checked++;
    }
    return AuditVerification.ok(checked);
  }

  /**
   * As {@link #verify(Iterable)}, and also checks that the chain ends at {@code expectedHeadHash} (kept
   * outside the store), which detects a truncated tail or a chain rewritten from some point on.
   */
  public static AuditVerification verifyAgainstHead(Iterable<AuditRecord> records, String expectedHeadHash) {
    Objects.requireNonNull(expectedHeadHash, "expectedHeadHash");
    AuditRecord lastSeen = null;
    for (AuditRecord record : records) {
      lastSeen = record;
    }
    AuditVerification chain = verify(records);
    if (!chain.intact()) {
      return chain;
    }
    if (lastSeen == null || !lastSeen.hash().equals(expectedHeadHash)) {
      long nextSeq = lastSeen == null ? 1 : lastSeen.seq() + 1;
      return AuditVerification.broken(chain.recordsChecked(), nextSeq,
          "chain head differs from the expected head (tail truncated or chain rewritten)");
    }
    return chain;
  }
}
