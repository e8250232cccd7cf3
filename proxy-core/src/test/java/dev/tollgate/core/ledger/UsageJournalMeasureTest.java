package dev.tollgate.core.ledger;

import static dev.tollgate.core.ledger.LedgerFixtures.mixedEvents;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.usage.UsageEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * By-hand throughput figures for docs/metering.md, off by default:
 * {@code mvn -o -q -pl proxy-core -am test -Dtest=UsageJournalMeasureTest -Dledger.measure=true}.
 */
@EnabledIfSystemProperty(named = "ledger.measure", matches = "true")
class UsageJournalMeasureTest {

  private static final int EVENTS = 100_000;

  @TempDir
  Path dir;

  @Test
  void measuresOpenLoopAppendsAndForces() throws Exception {
    List<UsageEvent> events = mixedEvents(EVENTS, 1);
    try (UsageJournal journal = UsageJournal.open(dir, 0, 16L << 20, 4_096, 200_000)) {
      journal.start((seq, e) -> { });
      ConcurrentLinkedQueue<CompletableFuture<Void>> pending = new ConcurrentLinkedQueue<>();
      long start = System.nanoTime();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        List<UsageEvent> part = events.subList(t * EVENTS / 4, (t + 1) * EVENTS / 4);
        Thread thread = new Thread(() -> part.forEach(e -> pending.add(journal.append(e))));
        threads.add(thread);
        thread.start();
      }
      for (Thread thread : threads) {
        thread.join();
      }
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
      report("open loop, 4 appending threads", journal, System.nanoTime() - start);
      assertThat(journal.appendCount()).isEqualTo(EVENTS);
    }
  }

  @Test
  void measuresClosedLoopAppendsWithSixtyFourWaitingCallers() throws Exception {
    List<UsageEvent> events = mixedEvents(EVENTS, 2);
    try (UsageJournal journal = UsageJournal.open(dir, 0, 16L << 20, 4_096, 200_000)) {
      journal.start((seq, e) -> { });
      long start = System.nanoTime();
      int callers = 64;
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < callers; t++) {
        List<UsageEvent> part = events.subList(t * EVENTS / callers, (t + 1) * EVENTS / callers);
        // Each caller waits for durability before its next request, as a gateway holding the last byte would.
        Thread thread = new Thread(() -> part.forEach(e -> journal.append(e).join()));
        threads.add(thread);
        thread.start();
      }
      for (Thread thread : threads) {
        thread.join();
      }
      report("closed loop, 64 callers each waiting for durability", journal, System.nanoTime() - start);
      assertThat(journal.appendCount()).isEqualTo(EVENTS);
    }
  }

  private static void report(String what, UsageJournal journal, long nanos) {
    double seconds = nanos / 1e9;
    System.out.printf("%s: %d appends in %.3f s = %.0f appends/s; %d forces = %.0f forces/s; %.1f records/force%n",
        what, journal.appendCount(), seconds, journal.appendCount() / seconds, journal.forceCount(),
        journal.forceCount() / seconds, (double) journal.appendCount() / journal.forceCount());
  }
}
