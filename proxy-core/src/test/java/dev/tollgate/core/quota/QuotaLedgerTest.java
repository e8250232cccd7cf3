package dev.tollgate.core.quota;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.quota.Reservation.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

class QuotaLedgerTest {

  // Store calls run inline, so every test is single-threaded and deterministic.
  private static final Executor DIRECT = Runnable::run;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T23:00:00Z"));
  private final InMemoryQuotaStore store = new InMemoryQuotaStore();
  private final QuotaLedger ledger = new QuotaLedger("analyses", store, DIRECT, 100, 1_000, clock);

  @Test
  void asksForTheStoreOnlyWhenTheLocalLeaseCannotDecide() {
    assertThat(ledger.tryReserve("acme", 1, 1_000, false)).isNull();

    Reservation first = ledger.reserve("acme", 1, 1_000, false).join();
    Reservation second = ledger.tryReserve("acme", 1, 1_000, false);

    assertThat(first.outcome()).isEqualTo(Outcome.ADMITTED);
    assertThat(second).isNotNull();
    assertThat(second.outcome()).isEqualTo(Outcome.ADMITTED);
  }

  @Test
  void keepsStoreWritesFarBelowOnePerRequest() {
    for (int i = 0; i < 10_000; i++) {
      ledger.settle(ledger.reserve("acme", 1, 1_000_000, false).join(), 1);
    }

    assertThat(store.writes()).isLessThanOrEqualTo(10_000 / 20);
  }

  @Test
  void refusesAtTheHardCapWithTheStartOfNextMonthAsResetTime() {
    for (int i = 0; i < 3; i++) {
      assertThat(ledger.reserve("acme", 1, 3, false).join().admitted()).isTrue();
    }

    Reservation refused = ledger.reserve("acme", 1, 3, false).join();

    assertThat(refused.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(refused.resetAtMillis()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z").toEpochMilli());
  }

  @Test
  void refundsReturnUnitsForTheNextRequests() {
    Reservation a = ledger.reserve("acme", 2, 3, false).join();
    Reservation b = ledger.reserve("acme", 1, 3, false).join();
    assertThat(ledger.reserve("acme", 1, 3, false).join().admitted()).isFalse();

    ledger.refund(a);
    ledger.refund(a);

    assertThat(ledger.reserve("acme", 2, 3, false).join().admitted()).isTrue();
    assertThat(ledger.reserve("acme", 1, 3, false).join().admitted()).isFalse();
    assertThat(a.settledIncludedUnits()).isZero();
    assertThat(b.admitted()).isTrue();
  }

  @Test
  void refusesAWeightedRequestThatDoesNotFitButAdmitsASmallerOne() {
    assertThat(ledger.reserve("acme", 2, 3, false).join().admitted()).isTrue();

    assertThat(ledger.reserve("acme", 2, 3, false).join().admitted()).isFalse();
    assertThat(ledger.reserve("acme", 1, 3, false).join().admitted()).isTrue();
  }

  @Test
  void splitsARequestAcrossTheLastIncludedUnitsAndOverage() {
    assertThat(ledger.reserve("acme", 2, 3, true).join().outcome()).isEqualTo(Outcome.ADMITTED);

    Reservation split = ledger.reserve("acme", 2, 3, true).join();

    assertThat(split.outcome()).isEqualTo(Outcome.ADMITTED_OVERAGE);
    assertThat(split.includedUnits()).isEqualTo(1);
    assertThat(split.overageUnits()).isEqualTo(1);
  }

  @Test
  void settlesACostBudgetFromWorstCaseToActual() {
    long budgetMicroUsd = 1_000_000;
    Reservation first = ledger.reserve("acme", 600_000, budgetMicroUsd, false).join();
    assertThat(ledger.reserve("acme", 600_000, budgetMicroUsd, false).join().admitted()).isFalse();

    assertThat(ledger.settle(first, 150_000)).isZero();
    assertThat(ledger.settle(first, 999_999)).as("second settle is a no-op").isZero();
    ledger.refund(first);

    assertThat(first.settledIncludedUnits()).isEqualTo(150_000);
    assertThat(ledger.reserve("acme", 600_000, budgetMicroUsd, false).join().admitted()).isTrue();
    assertThat(ledger.reserve("acme", 300_000, budgetMicroUsd, false).join().admitted()).isFalse();
  }

  @Test
  void chargesUnitsPastTheReservationUpToTheLimitButNeverBeyond() {
    Reservation r = ledger.reserve("acme", 8, 10, false).join();
    assertThat(ledger.tryReserve("acme", 1, 10, false)).as("the lease holds exactly 8").isNull();

    assertThat(ledger.settle(r, 15)).isEqualTo(7);

    assertThat(store.used(ledger.counterKey("acme", "included"))).isEqualTo(10);
    assertThat(ledger.reserve("acme", 1, 10, false).join().admitted()).isFalse();
  }

  @Test
  void startsAFreshQuotaInTheNextMonthAndReturnsTheOldLease() {
    Reservation november = ledger.reserve("acme", 1, 2, false).join();
    ledger.reserve("acme", 1, 2, false).join();
    String novemberKey = ledger.counterKey("acme", "included");
    assertThat(ledger.reserve("acme", 1, 2, false).join().admitted()).isFalse();
    ledger.refund(november);

    clock.advance(Duration.ofHours(2));

    assertThat(ledger.reserve("acme", 2, 2, false).join().admitted()).isTrue();
    assertThat(ledger.counterKey("acme", "included")).isNotEqualTo(novemberKey).contains("2026-12");
    assertThat(store.used(novemberKey)).isEqualTo(1);
  }

  @Test
  void returnsTheLeaseOfAnIdleTenantSoOtherNodesCanUseIt() {
    QuotaLedger otherNode = new QuotaLedger("analyses", store, DIRECT, 100, 0, clock);
    ledger.reserve("acme", 1, 8, false).join();
    assertThat(otherNode.reserve("acme", 7, 8, false).join().admitted()).isFalse();

    clock.advance(Duration.ofSeconds(61));
    ledger.returnIdleLeases(60_000);

    assertThat(otherNode.reserve("acme", 7, 8, false).join().admitted()).isTrue();
  }

  @Test
  void returnsUnusedLeasesOnShutdown() {
    ledger.reserve("acme", 1, 1_000, false).join();
    String key = ledger.counterKey("acme", "included");
    assertThat(store.used(key)).isGreaterThan(1);

    ledger.returnLeases();

    assertThat(store.used(key)).isEqualTo(1);
  }
}
