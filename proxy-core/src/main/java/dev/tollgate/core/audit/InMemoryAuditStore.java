package dev.tollgate.core.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** An {@link AuditStore} in process memory, for tests and trials; nothing survives a restart. Thread-safe. */
public final class InMemoryAuditStore implements AuditStore {

  private final List<AuditRecord> records = new ArrayList<>();

  @Override
  public synchronized Optional<AuditRecord> last() {
    return records.isEmpty() ? Optional.empty() : Optional.of(records.get(records.size() - 1));
  }

  @Override
  public synchronized void append(AuditRecord record) {
    long expected = records.size() + 1L;
    if (record.seq() != expected) {
      throw new IllegalStateException("seq: " + record.seq() + " (expected: " + expected + ")");
    }
    records.add(record);
  }

  @Override
  public synchronized List<AuditRecord> range(long fromSeq, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit: " + limit + " (expected: >= 0)");
    }
    int from = (int) Math.min(Math.max(fromSeq - 1, 0), records.size());
    int to = (int) Math.min((long) from + limit, records.size());
    return List.copyOf(records.subList(from, to));
  }
}
