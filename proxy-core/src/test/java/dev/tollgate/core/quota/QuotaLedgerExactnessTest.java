package dev.tollgate.core.quota;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.quota.Reservation.Outcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Three ledgers ("nodes") share one store; eight threads reserve concurrently. */
class QuotaLedgerExactnessTest {

  private static final int THREADS = 8;
  private static final int REQUESTS = 2_000;
  private static final long INCLUDED = 500;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-10T12:00:00Z"));
  private final InMemoryQuotaStore store = new InMemoryQuotaStore();
  private final ExecutorService storeExecutor = Executors.newFixedThreadPool(3);
  private final List<QuotaLedger> nodes = List.of(node(), node(), node());

  @AfterEach
  void stopExecutor() throws InterruptedException {
    storeExecutor.shutdown();
    assertThat(storeExecutor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @RepeatedTest(10)
  void admitsExactlyTheIncludedAmountUnderAHardCap() throws Exception {
    Totals totals = runConcurrently(false);

    assertThat(totals.admitted.get()).isEqualTo(INCLUDED);
    assertThat(totals.refused.get()).isEqualTo(REQUESTS - INCLUDED);
    assertThat(totals.overage.get()).isZero();
    nodes.forEach(QuotaLedger::returnLeases);
    assertThat(store.used(nodes.get(0).counterKey("acme", "included"))).isEqualTo(INCLUDED);
  }

  @RepeatedTest(10)
  void admitsEverythingWithOverageAndBillsExactlyThePartPastTheIncludedAmount() throws Exception {
    Totals totals = runConcurrently(true);

    assertThat(totals.admitted.get()).isEqualTo(REQUESTS);
    assertThat(totals.included.get()).isEqualTo(INCLUDED);
    assertThat(totals.overage.get()).isEqualTo(REQUESTS - INCLUDED);
    nodes.forEach(QuotaLedger::returnLeases);
    assertThat(store.used(nodes.get(0).counterKey("acme", "included"))).isEqualTo(INCLUDED);
    assertThat(store.used(nodes.get(0).counterKey("acme", "overage"))).isEqualTo(REQUESTS - INCLUDED);
  }

  @Test
  void neverExceedsTheCapWhenHalfTheReservationsAreRefunded() throws Exception {
    // Refunds put units back into play; the cap must still hold while they move between nodes.
    AtomicLong held = new AtomicLong();
    AtomicLong maxHeld = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int offset = t;
      threads.add(new Thread(() -> {
        await(start);
        for (int i = offset; i < REQUESTS; i += THREADS) {
          QuotaLedger node = nodes.get(i % nodes.size());
          Reservation r = node.reserve("acme", 1, INCLUDED, false).join();
          if (r.admitted()) {
            maxHeld.accumulateAndGet(held.incrementAndGet(), Math::max);
            if (i % 2 == 0) {
              held.decrementAndGet();
              node.refund(r);
            }
          }
        }
      }));
    }
    threads.forEach(Thread::start);
    start.countDown();
    for (Thread thread : threads) {
      thread.join();
    }

    assertThat(maxHeld.get()).isLessThanOrEqualTo(INCLUDED);
    assertThat(held.get()).isLessThanOrEqualTo(INCLUDED);
    nodes.forEach(QuotaLedger::returnLeases);
    assertThat(store.used(nodes.get(0).counterKey("acme", "included"))).isEqualTo(held.get());
  }

  private Totals runConcurrently(boolean overageAllowed) throws InterruptedException {
    Totals totals = new Totals();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int offset = t;
      threads.add(new Thread(() -> {
        await(start);
        for (int i = offset; i < REQUESTS; i += THREADS) {
          QuotaLedger node = nodes.get(i % nodes.size());
          Reservation r = node.reserve("acme", 1, INCLUDED, overageAllowed).join();
          if (r.outcome() == Outcome.REFUSED) {
            totals.refused.incrementAndGet();
            continue;
          }
          totals.admitted.incrementAndGet();
          totals.included.addAndGet(r.includedUnits());
          totals.overage.addAndGet(r.overageUnits());
          node.settle(r, 1);
        }
      }));
    }
    threads.forEach(Thread::start);
    start.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    return totals;
  }

  private QuotaLedger node() {
    return new QuotaLedger("requests", store, storeExecutor, 64, 1_000, clock);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static final class Totals {
    final AtomicLong admitted = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong included = new AtomicLong();
    final AtomicLong overage = new AtomicLong();
  }
}
