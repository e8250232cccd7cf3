package dev.tollgate.core.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.store.SqliteStateStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThresholdTrackerTest {

  private static final List<Integer> THRESHOLDS = List.of(50, 80, 100);

  private final ThresholdTracker tracker = new ThresholdTracker(new InMemoryAlertStore(), Clock.systemUTC());

  @Test
  void firesEachThresholdOncePerPeriod() {
    assertThat(tracker.newlyCrossed("acme", "2026-11", 49, 100, THRESHOLDS)).isEmpty();
    assertThat(tracker.newlyCrossed("acme", "2026-11", 50, 100, THRESHOLDS)).containsExactly(50);
    assertThat(tracker.newlyCrossed("acme", "2026-11", 60, 100, THRESHOLDS)).isEmpty();
    assertThat(tracker.newlyCrossed("acme", "2026-11", 85, 100, THRESHOLDS)).containsExactly(80);
    assertThat(tracker.newlyCrossed("acme", "2026-11", 100, 100, THRESHOLDS)).containsExactly(100);
    assertThat(tracker.newlyCrossed("acme", "2026-11", 150, 100, THRESHOLDS)).isEmpty();
  }

  @Test
  void firesEveryThresholdPassedInOneJumpInAscendingOrder() {
    assertThat(tracker.newlyCrossed("acme", "2026-11", 10_000, 1_000, List.of(100, 50, 80))).containsExactly(50, 80, 100);
  }

  @Test
  void firesAgainInTheNextPeriodAndSeparatelyPerTenant() {
    assertThat(tracker.newlyCrossed("acme", "2026-11", 80, 100, THRESHOLDS)).containsExactly(50, 80);
    assertThat(tracker.newlyCrossed("globex", "2026-11", 80, 100, THRESHOLDS)).containsExactly(50, 80);
    assertThat(tracker.newlyCrossed("acme", "2026-12", 50, 100, THRESHOLDS)).containsExactly(50);
  }

  @Test
  void firesNothingForAnUnlimitedPlan() {
    assertThat(tracker.newlyCrossed("acme", "2026-11", 1_000_000, 0, THRESHOLDS)).isEmpty();
  }

  @Test
  void eightConcurrentCallersFireEachThresholdExactlyOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 200; round++) {
        String tenant = "tenant-" + round;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<Integer>>> calls = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          long used = 50 + t * 10; // 50..120: callers see different thresholds crossed
          calls.add(pool.submit(() -> {
            start.await();
            return tracker.newlyCrossed(tenant, "2026-11", used, 100, THRESHOLDS);
          }));
        }
        start.countDown();
        List<Integer> fired = new ArrayList<>();
        for (Future<List<Integer>> call : calls) {
          fired.addAll(call.get(10, TimeUnit.SECONDS));
        }
        Collections.sort(fired);
        assertThat(fired).as("round %d", round).containsExactly(50, 80, 100);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void doesNotRefireAfterARestart(@TempDir Path dataDir) {
    try (SqliteStateStore store = SqliteStateStore.open(dataDir)) {
      ThresholdTracker beforeRestart = new ThresholdTracker(new SqliteAlertStore(store), Clock.systemUTC());
      assertThat(beforeRestart.newlyCrossed("acme", "2026-11", 80, 100, THRESHOLDS)).containsExactly(50, 80);
      assertThat(store.writeCount()).isEqualTo(2);
    }
    try (SqliteStateStore store = SqliteStateStore.open(dataDir)) {
      ThresholdTracker afterRestart = new ThresholdTracker(new SqliteAlertStore(store), Clock.systemUTC());
      assertThat(afterRestart.newlyCrossed("acme", "2026-11", 90, 100, THRESHOLDS)).isEmpty();
      assertThat(afterRestart.newlyCrossed("acme", "2026-11", 100, 100, THRESHOLDS)).containsExactly(100);
    }
  }
}
