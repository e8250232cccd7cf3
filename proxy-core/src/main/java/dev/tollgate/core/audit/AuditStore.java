package dev.tollgate.core.audit;

import java.util.List;
import java.util.Optional;

/**
 * Persistence for the audit log, append-only. Implementations are thread-safe and may block; {@link
 * AuditChain} is the only writer in a process.
 */
public interface AuditStore {

  /** The record with the highest seq, if any. */
  Optional<AuditRecord> last();

  /** Appends one record; implementations reject a seq that is not {@code last().seq() + 1} (or 1 when empty). */
  void append(AuditRecord record);

  /** Up to {@code limit} records with seq >= {@code fromSeq}, in seq order. */
  List<AuditRecord> range(long fromSeq, int limit);
}
