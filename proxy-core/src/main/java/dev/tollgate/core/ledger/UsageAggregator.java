package dev.tollgate.core.ledger;

import dev.tollgate.core.pricing.ModelPriceTable;
import dev.tollgate.core.store.SqliteStateStore;
import dev.tollgate.core.usage.UsageEvent;
import dev.tollgate.core.usage.UsageSink;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-behind usage meter: a {@link UsageSink} that journals every event that counts (billable
 * units, overage or tokens) through {@link UsageJournal}, aggregates events in memory per tenant,
 * project, key, route, provider, model and UTC day, and every {@code flushIntervalMillis} (and on
 * {@link #close}) writes the dirty rows and the journal checkpoint to the ledger in one transaction.
 *
 * <p>Threads: {@link #accept} and {@link #record} run on event loops and never block (a short
 * uncontended lock guards the in-memory table); journaled events join the table once durable: on the
 * appending event loop in the write-durable mode (the default), on the journal writer thread when each
 * batch is fsynced; flushes run on the store's executor. Events that do not count (refusals with no
 * usage) skip the journal and can be lost with at most one flush window on a crash.
 *
 * <p>Store writes counted with {@link SqliteStateStore#countWrite()}: one per upserted row plus one for
 * the checkpoint, per flush; so writes per request = (rows dirtied per flush + 1) / (requests per flush).
 */
public final class UsageAggregator implements UsageSink, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(UsageAggregator.class);
  private static final int METRICS = UsageLedger.METRIC_COLUMNS.length;

  private final SqliteStateStore store;
  private final java.util.function.Supplier<ModelPriceTable> prices;
  private final UsageJournal journal;
  private final ScheduledExecutorService ticker;
  private final AtomicBoolean flushQueued = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object lock = new Object();
  // Guarded by lock: rows changed since the last flush, and the highest journal seq they include.
  private Map<RowKey, long[]> dirty = new HashMap<>();
  private long absorbedSeq;
  // Store thread only.
  private long checkpointSeq;

  private UsageAggregator(SqliteStateStore store, java.util.function.Supplier<ModelPriceTable> prices,
      UsageJournal journal, long checkpointSeq) {
    this.store = store;
    this.prices = prices;
    this.journal = journal;
    this.checkpointSeq = checkpointSeq;
    this.absorbedSeq = checkpointSeq;
    this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tollgate-usage-flush");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Creates the ledger tables if needed, replays journal records past the ledger's checkpoint into the
   * ledger (idempotent: a record is absorbed exactly once), then starts the journal writer and the
   * periodic flush. Blocking; call at startup, off the event loop.
   */
  public static UsageAggregator open(SqliteStateStore store, ModelPriceTable prices, LedgerConfig config) {
    Objects.requireNonNull(prices, "prices");
    return open(store, () -> prices, config);
  }

  /** As {@link #open(SqliteStateStore, ModelPriceTable, LedgerConfig)}, pricing with the table in force. */
  public static UsageAggregator open(SqliteStateStore store, java.util.function.Supplier<ModelPriceTable> prices,
      LedgerConfig config) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(prices, "prices");
    Objects.requireNonNull(config, "config");
    new UsageLedger(store);
    long checkpoint = store.withConnection(UsageLedger::checkpointSeq);
    UsageJournal journal = UsageJournal.open(config.journalDir(), checkpoint, config.segmentMaxBytes(),
        config.maxBatchRecords(), config.maxQueuedRecords());
    journal.fsyncEachBatch(config.fsyncEachBatch());
    UsageAggregator aggregator = new UsageAggregator(store, prices, journal, checkpoint);
    // 1. Re-aggregate what the journal holds beyond the checkpoint, 2. make it part of the ledger,
    // 3. only then take new events.
    long replayed = journal.replay(checkpoint, aggregator::absorbDurable);
    if (replayed > checkpoint) {
      LOG.info("usage journal: replayed records {}..{} into the ledger", checkpoint + 1, replayed);
    }
    aggregator.flush().join();
    journal.start(aggregator::absorbDurable);
    long interval = config.flushIntervalMillis();
    aggregator.ticker.scheduleWithFixedDelay(aggregator::requestFlush, interval, interval, TimeUnit.MILLISECONDS);
    return aggregator;
  }

  /** Records {@code event}, ignoring when it becomes durable. Non-blocking. */
  @Override
  public void accept(UsageEvent event) {
    record(event);
  }

  @Override
  public CompletableFuture<Void> recordDurably(UsageEvent event) {
    return record(event);
  }

  /**
   * Records {@code event}. For an event that counts, the future completes once its journal record is on
   * disk; a gateway that must not lose answered usage delays the response's last byte until then (about
   * one {@code force} of latency, shared by every request in the batch). The future fails when the
   * journal refused or failed the record: the event is still aggregated, but not crash-safe. For other
   * events the future is already complete. Non-blocking.
   */
  public CompletableFuture<Void> record(UsageEvent event) {
    Objects.requireNonNull(event, "event");
    if (!counts(event)) {
      absorb(event);
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> durable = journal.append(event);
    if (durable.isCompletedExceptionally()) {
      // Not queued (journal full or closed): keep the numbers, lose only crash safety.
      absorb(event);
    }
    return durable;
  }

  /**
   * Writes every dirty row and the journal checkpoint in one transaction, on the store's executor. The
   * future yields the number of rows written. On failure the rows stay dirty for the next flush.
   */
  public CompletableFuture<Integer> flush() {
    return CompletableFuture.supplyAsync(this::flushNow, store.executor());
  }

  /** The journal, for its counters (appends, forces). */
  public UsageJournal journal() {
    return journal;
  }

  /**
   * Stops the periodic flush, writes what the journal has queued, and flushes the ledger once more.
   * Blocking; call at shutdown before closing the store.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ticker.shutdownNow();
    journal.close();
    flush().join();
  }

  /** Test hook: stops as kill -9 would, with no final journal write and no flush. */
  void halt() {
    closed.set(true);
    ticker.shutdownNow();
    journal.halt();
  }

  // ---- aggregation ----

  private static boolean counts(UsageEvent e) {
    return e.billableUnits() > 0 || e.overageUnits() > 0 || !e.usage().isEmpty();
  }

  private void absorb(UsageEvent e) {
    RowKey key = RowKey.of(e);
    long cost = prices.get().cost(e.provider(), e.model(), e.usage());
    synchronized (lock) {
      add(key, e, cost);
    }
  }

  /** The journal, in sequence order (the appending thread, the writer thread, or replay at open): {@code seq} is durable. */
  private void absorbDurable(long seq, UsageEvent e) {
    RowKey key = RowKey.of(e);
    long cost = prices.get().cost(e.provider(), e.model(), e.usage());
    synchronized (lock) {
      add(key, e, cost);
      absorbedSeq = Math.max(absorbedSeq, seq);
    }
  }

  private void add(RowKey key, UsageEvent e, long cost) {
    long[] t = dirty.computeIfAbsent(key, k -> new long[METRICS]);
    var u = e.usage();
    t[0]++;
    t[1] += e.status() >= 400 ? 1 : 0;
    t[2] += e.billableUnits();
    t[3] += e.overageUnits();
    t[4] += u.inputTokens();
    t[5] += u.outputTokens();
    t[6] += u.cachedInputTokens();
    t[7] += u.cacheCreationInputTokens();
    t[8] += u.reasoningTokens();
    t[9] += u.audioInputTokens();
    t[10] += u.audioOutputTokens();
    if (cost == ModelPriceTable.UNKNOWN) {
      t[12]++;
    } else {
      t[11] += cost;
    }
    t[13] += e.requestBytes();
    t[14] += e.responseBytes();
  }

  // ---- flushing (store thread) ----

  private void requestFlush() {
    if (!flushQueued.compareAndSet(false, true)) {
      return; // one already waits on the store thread
    }
    try {
      store.executor().execute(() -> {
        flushQueued.set(false);
        try {
          flushNow();
        } catch (RuntimeException e) {
          LOG.warn("usage ledger flush failed; rows stay dirty for the next one", e);
        }
      });
    } catch (RuntimeException e) {
      flushQueued.set(false);
      LOG.warn("usage ledger flush not scheduled", e);
    }
  }

  private int flushNow() {
    Map<RowKey, long[]> rows;
    long seq;
    synchronized (lock) {
      rows = dirty;
      seq = absorbedSeq;
      dirty = new HashMap<>();
    }
    if (rows.isEmpty() && seq <= checkpointSeq) {
      return 0;
    }
    try {
      store.withConnection(c -> {
        write(c, rows, seq);
        return null;
      });
    } catch (RuntimeException e) {
      restore(rows);
      throw e;
    }
    for (int i = 0; i < rows.size(); i++) {
      store.countWrite();
    }
    if (seq > checkpointSeq) {
      store.countWrite();
      checkpointSeq = seq;
      journal.releaseUpTo(seq);
    }
    return rows.size();
  }

  private void write(Connection c, Map<RowKey, long[]> rows, long seq) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      try (PreparedStatement upsert = c.prepareStatement(UsageLedger.upsertSql())) {
        for (Map.Entry<RowKey, long[]> row : rows.entrySet()) {
          RowKey k = row.getKey();
          upsert.setString(1, k.tenantId());
          upsert.setString(2, k.projectId());
          upsert.setString(3, k.keyId());
          upsert.setString(4, k.route());
          upsert.setString(5, k.provider());
          upsert.setString(6, k.model());
          upsert.setString(7, LocalDate.ofEpochDay(k.epochDay()).toString());
          long[] t = row.getValue();
          for (int i = 0; i < t.length; i++) {
            upsert.setLong(8 + i, t[i]);
          }
          upsert.addBatch();
        }
        upsert.executeBatch();
      }
      if (seq > checkpointSeq) {
        try (PreparedStatement checkpoint = c.prepareStatement(UsageLedger.CHECKPOINT_SQL)) {
          checkpoint.setLong(1, seq);
          checkpoint.executeUpdate();
        }
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  private void restore(Map<RowKey, long[]> rows) {
    synchronized (lock) {
      for (Map.Entry<RowKey, long[]> row : rows.entrySet()) {
        long[] t = dirty.computeIfAbsent(row.getKey(), k -> new long[METRICS]);
        long[] add = row.getValue();
        for (int i = 0; i < t.length; i++) {
          t[i] += add[i];
        }
      }
    }
  }
}
