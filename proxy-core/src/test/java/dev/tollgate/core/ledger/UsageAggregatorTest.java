package dev.tollgate.core.ledger;

import static dev.tollgate.core.ledger.LedgerFixtures.PRICES;
import static dev.tollgate.core.ledger.LedgerFixtures.expectedTotals;
import static dev.tollgate.core.ledger.LedgerFixtures.mixedEvents;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.store.SqliteStateStore;
import dev.tollgate.core.usage.UsageEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsageAggregatorTest {

  private static final LocalDate FROM = LocalDate.parse("2026-11-01");
  private static final LocalDate TO = LocalDate.parse("2026-11-30");
  // Periodic flushes never fire during a test: each test flushes (or crashes) on purpose.
  private static final long NO_PERIODIC_FLUSH_MILLIS = 3_600_000;

  @TempDir
  Path dataDir;

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  @Test
  void ledgerTotalsEqualTheSumOfThousandsOfMixedEventsByTenantRouteAndModel() {
    SqliteStateStore store = store();
    UsageAggregator aggregator = aggregator(store, config());
    List<UsageEvent> events = mixedEvents(4_000, 7);

    recordAll(aggregator, events);
    aggregator.flush().join();

    UsageLedger ledger = new UsageLedger(store);
    for (String tenant : List.of("acme", "globex", "initech")) {
      Map<List<String>, List<UsageEvent>> byRouteAndModel = events.stream()
          .filter(e -> e.tenantId().equals(tenant))
          .collect(Collectors.groupingBy(e -> List.of(e.operation(), e.model())));
      List<UsageRow> rows = ledger.query(tenant, FROM, TO, EnumSet.of(UsageDimension.ROUTE, UsageDimension.MODEL));

      assertThat(rows).hasSize(byRouteAndModel.size());
      for (UsageRow row : rows) {
        assertThat(row.totals()).as(tenant + " " + row.route() + " " + row.model())
            .isEqualTo(expectedTotals(byRouteAndModel.get(List.of(row.route(), row.model()))));
      }
      assertThat(ledger.query(tenant, FROM, TO, Set.of()))
          .singleElement()
          .extracting(UsageRow::totals)
          .isEqualTo(expectedTotals(events.stream().filter(e -> e.tenantId().equals(tenant)).toList()));
    }
  }

  @Test
  void writesAtMostOneStoreWritePerTwentyRequests() {
    SqliteStateStore store = store();
    UsageAggregator aggregator = aggregator(store, config());
    // Steady state: three tenants, one project and key each, five routes and models, one day, so each
    // flush dirties at most 15 rows (the ledger's write count grows with key cardinality, not traffic).
    List<UsageEvent> events = mixedEvents(5_000, 11).stream()
        .map(e -> LedgerFixtures.event(e.requestId(), LedgerFixtures.DAY_1, e.tenantId(), "proj-0", "key-0",
            e.provider(), e.operation(), e.model(), e.status(), e.usage(), e.billableUnits(), e.overageUnits()))
        .toList();
    long writesBefore = store.writeCount();

    // Five flush windows of 1,000 requests each.
    for (int i = 0; i < events.size(); i += 1_000) {
      recordAll(aggregator, events.subList(i, i + 1_000));
      aggregator.flush().join();
    }

    long writes = store.writeCount() - writesBefore;
    assertThat(writes).isPositive();
    assertThat((double) writes / events.size()).isLessThanOrEqualTo(0.05);
  }

  @Test
  void killedAfterAppendsWereDurableReplaysToExactBillableTotals() {
    List<UsageEvent> events = mixedEvents(3_000, 13);
    SqliteStateStore first = store();
    UsageAggregator crashed = aggregator(first, config());
    recordAll(crashed, events.subList(0, 1_000));
    crashed.flush().join(); // part of the usage is already in the ledger, the rest only in the journal
    recordAll(crashed, events.subList(1_000, 3_000));

    crashed.halt();
    first.close();

    SqliteStateStore second = store();
    aggregator(second, config());
    // Everything flushed before the crash, and every journaled (counting) event after it; refusals
    // without usage after the last flush are not journaled and are lost, as DESIGN.md §3 allows.
    assertThat(totals(second)).isEqualTo(expectedTotals(concat(events.subList(0, 1_000),
        counting(events.subList(1_000, 3_000)))));
    assertThat(totals(second).billableUnits()).isEqualTo(expectedTotals(events).billableUnits());
  }

  @Test
  void ignoresATornLastRecordAndKeepsAppendingAfterTheRepair() throws IOException {
    List<UsageEvent> events = mixedEvents(1_000, 17);
    SqliteStateStore first = store();
    UsageAggregator crashed = aggregator(first, config());
    recordAll(crashed, events);
    crashed.halt();
    first.close();
    // Half a record: a header announcing 200 bytes, then only 10 of them, as a crash mid-write leaves.
    appendToNewestSegment(ByteBuffer.allocate(18).putInt(200).putInt(0xCAFE).put(new byte[10]).flip());

    SqliteStateStore second = store();
    UsageAggregator reopened = aggregator(second, config());
    assertThat(totals(second)).isEqualTo(expectedTotals(counting(events)));

    List<UsageEvent> later = mixedEvents(500, 19);
    recordAll(reopened, later);
    reopened.halt();
    second.close();
    SqliteStateStore third = store();
    aggregator(third, config());
    assertThat(totals(third)).isEqualTo(expectedTotals(counting(concat(events, later))));
  }

  @Test
  void replayingTheSameJournalTwiceCountsItOnce() {
    List<UsageEvent> events = mixedEvents(1_500, 23);
    SqliteStateStore store = store();
    UsageAggregator crashed = aggregator(store, config());
    recordAll(crashed, events);
    crashed.halt();

    UsageAggregator replayedOnce = aggregator(store, config());
    UsageTotals afterFirstReplay = totals(store);
    replayedOnce.halt(); // crash again before anything new happened
    aggregator(store, config());

    assertThat(afterFirstReplay).isEqualTo(expectedTotals(counting(events)));
    assertThat(totals(store)).isEqualTo(afterFirstReplay);
    assertThat(new UsageLedger(store).checkpointSeq()).isEqualTo(events.stream().filter(this::counts).count());
  }

  @Test
  void deletesJournalSegmentsOnceTheLedgerHasAbsorbedThem() throws IOException {
    LedgerConfig small = new LedgerConfig(dataDir.resolve("usage-journal"), NO_PERIODIC_FLUSH_MILLIS, 4_096, 16,
        10_000);
    List<UsageEvent> events = mixedEvents(2_000, 29);
    SqliteStateStore store = store();
    UsageAggregator aggregator = aggregator(store, small);
    for (int i = 0; i < events.size(); i += 100) {
      recordAll(aggregator, events.subList(i, i + 100));
    }
    long segmentsBeforeFlush = segmentCount();

    aggregator.flush().join();

    assertThat(segmentsBeforeFlush).isGreaterThan(10);
    assertThat(segmentCount()).isEqualTo(1);
    assertThat(totals(store)).isEqualTo(expectedTotals(events));
  }

  @Test
  void journalsOnlyEventsThatCountButAggregatesAll() {
    SqliteStateStore store = store();
    UsageAggregator aggregator = aggregator(store, config());
    List<UsageEvent> events = mixedEvents(2_000, 31);

    recordAll(aggregator, events);
    aggregator.close();

    assertThat(aggregator.journal().appendCount()).isEqualTo(events.stream().filter(this::counts).count())
        .isLessThan(events.size());
    assertThat(totals(store)).isEqualTo(expectedTotals(events));
  }

  @Test
  void closeWritesWhatWasStillQueued() {
    SqliteStateStore store = store();
    UsageAggregator aggregator = aggregator(store, config());
    List<UsageEvent> events = mixedEvents(1_000, 37);

    events.forEach(aggregator::accept);
    aggregator.close();

    assertThat(totals(store)).isEqualTo(expectedTotals(events));
  }

  private List<UsageEvent> counting(List<UsageEvent> events) {
    return events.stream().filter(this::counts).toList();
  }

  private boolean counts(UsageEvent e) {
    return e.billableUnits() > 0 || e.overageUnits() > 0 || !e.usage().isEmpty();
  }

  private static void recordAll(UsageAggregator aggregator, List<UsageEvent> events) {
    CompletableFuture<?>[] durable = events.stream().map(aggregator::record).toArray(CompletableFuture[]::new);
    CompletableFuture.allOf(durable).join();
  }

  private static UsageTotals totals(SqliteStateStore store) {
    UsageTotals sum = UsageTotals.ZERO;
    for (String tenant : List.of("acme", "globex", "initech")) {
      for (UsageRow row : new UsageLedger(store).query(tenant, FROM, TO, Set.of())) {
        sum = sum.plus(row.totals());
      }
    }
    return sum;
  }

  private SqliteStateStore store() {
    SqliteStateStore store = SqliteStateStore.open(dataDir);
    open.add(store);
    return store;
  }

  private UsageAggregator aggregator(SqliteStateStore store, LedgerConfig config) {
    UsageAggregator aggregator = UsageAggregator.open(store, PRICES, config);
    open.add(aggregator);
    return aggregator;
  }

  private LedgerConfig config() {
    return LedgerConfig.defaults(dataDir).withFlushIntervalMillis(NO_PERIODIC_FLUSH_MILLIS);
  }

  private long segmentCount() throws IOException {
    try (Stream<Path> files = Files.list(dataDir.resolve("usage-journal"))) {
      return files.count();
    }
  }

  private void appendToNewestSegment(ByteBuffer bytes) throws IOException {
    Path newest;
    try (Stream<Path> files = Files.list(dataDir.resolve("usage-journal"))) {
      newest = files.sorted().reduce((a, b) -> b).orElseThrow();
    }
    try (FileChannel ch = FileChannel.open(newest, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ch.write(bytes);
    }
  }

  private static List<UsageEvent> concat(List<UsageEvent> a, List<UsageEvent> b) {
    List<UsageEvent> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
