package dev.tollgate.core.ledger;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of the usage ledger and its journal. Not hot-swappable: read once when
 * {@link UsageAggregator#open} starts the journal writer and the flusher.
 *
 * @param journalDir where journal segments live, e.g. {@code <dataDir>/usage-journal}
 * @param flushIntervalMillis how often dirty aggregates are written to the store
 * @param segmentMaxBytes a journal segment is closed and a new one started past this size (at most 1 GiB)
 * @param maxBatchRecords most records written under one {@code force} (group commit)
 * @param maxQueuedRecords records waiting for the writer beyond which appends are refused
 * @param fsyncEachBatch true: a record is durable once fsynced (survives power loss); false: once
 *     written to the file (survives the gateway process being killed, even with kill -9), with an
 *     fsync at most every {@link UsageJournal#BACKGROUND_FSYNC_MILLIS} ms in the background
 */
public record LedgerConfig(
    Path journalDir,
    long flushIntervalMillis,
    long segmentMaxBytes,
    int maxBatchRecords,
    int maxQueuedRecords,
    boolean fsyncEachBatch) {

  /** As the canonical constructor, with fsync on every batch. */
  public LedgerConfig(Path journalDir, long flushIntervalMillis, long segmentMaxBytes, int maxBatchRecords,
      int maxQueuedRecords) {
    this(journalDir, flushIntervalMillis, segmentMaxBytes, maxBatchRecords, maxQueuedRecords, true);
  }

  public LedgerConfig {
    Objects.requireNonNull(journalDir, "journalDir");
    if (flushIntervalMillis <= 0) {
      throw new IllegalArgumentException("flushIntervalMillis: " + flushIntervalMillis + " (expected: > 0)");
    }
    if (segmentMaxBytes < 4096 || segmentMaxBytes > UsageJournal.MAX_SEGMENT_BYTES) {
      throw new IllegalArgumentException("segmentMaxBytes: " + segmentMaxBytes + " (expected: 4096 to "
          + UsageJournal.MAX_SEGMENT_BYTES + ", a segment is mapped whole)");
    }
    if (maxBatchRecords <= 0) {
      throw new IllegalArgumentException("maxBatchRecords: " + maxBatchRecords + " (expected: > 0)");
    }
    if (maxQueuedRecords <= 0) {
      throw new IllegalArgumentException("maxQueuedRecords: " + maxQueuedRecords + " (expected: > 0)");
    }
  }

  /** Flush every second, 16 MiB segments, batches of up to 4,096 records, 65,536 queued at most. */
  public static LedgerConfig defaults(Path dataDir) {
    return new LedgerConfig(dataDir.resolve("usage-journal"), 1_000, 16L << 20, 4_096, 65_536);
  }

  /** A copy with another flush interval. */
  public LedgerConfig withFlushIntervalMillis(long millis) {
    return new LedgerConfig(journalDir, millis, segmentMaxBytes, maxBatchRecords, maxQueuedRecords, fsyncEachBatch);
  }

  /** A copy that fsyncs each batch ({@code true}) or only writes it and fsyncs in the background. */
  public LedgerConfig withFsyncEachBatch(boolean fsync) {
    return new LedgerConfig(journalDir, flushIntervalMillis, segmentMaxBytes, maxBatchRecords, maxQueuedRecords, fsync);
  }
}
