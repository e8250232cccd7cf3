package dev.tollgate.core.concurrency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.concurrency.InFlightCounter.Slot;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InFlightCounterTest {

  private final InFlightCounter counter = new InFlightCounter();

  @Test
  void refusesPastTheMaximumAndAdmitsAgainAfterARelease() {
    Slot a = counter.tryAcquire("acme", 2);
    Slot b = counter.tryAcquire("acme", 2);

    assertThat(counter.tryAcquire("acme", 2)).isNull();
    assertThat(counter.tryAcquire("other", 2)).isNotNull();
    a.release();
    assertThat(counter.tryAcquire("acme", 2)).isNotNull();
    assertThat(b).isNotNull();
  }

  @Test
  void releasesASlotOnlyOnceWhenTwoPathsReleaseIt() {
    Slot slot = counter.tryAcquire("acme", 5);
    Slot other = counter.tryAcquire("acme", 5);

    assertThat(slot.release()).isTrue();
    assertThat(slot.release()).isFalse();

    assertThat(counter.inFlight("acme")).isEqualTo(1);
    assertThat(other.isReleased()).isFalse();
  }

  @Test
  void returnsToZeroAfterMixedConcurrentReleasePathsIncludingDoubleReleases() throws Exception {
    int threads = 8;
    ConcurrentLinkedQueue<Slot> slots = new ConcurrentLinkedQueue<>();
    AtomicInteger freedOnce = new AtomicInteger();
    AtomicInteger acquired = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      workers.add(new Thread(() -> {
        awaitQuietly(start);
        for (int i = 0; i < 2_000; i++) {
          Slot slot = counter.tryAcquire("acme", 16);
          if (slot == null) {
            continue;
          }
          acquired.incrementAndGet();
          switch ((i + id) % 3) {
            case 0 -> count(freedOnce, slot.release()); // completion path
            case 1 -> { // completion and disconnect both fire
              count(freedOnce, slot.release());
              count(freedOnce, slot.release());
            }
            default -> slots.add(slot); // released later from another thread
          }
          if (i % 500 == 0) {
            counter.evictIdle();
          }
        }
      }));
    }
    workers.forEach(Thread::start);
    start.countDown();
    Thread releaser = new Thread(() -> {
      while (workers.stream().anyMatch(Thread::isAlive) || !slots.isEmpty()) {
        Slot slot = slots.poll();
        if (slot != null) {
          count(freedOnce, slot.release());
          count(freedOnce, slot.release());
        }
      }
    });
    releaser.start();
    for (Thread worker : workers) {
      worker.join();
    }
    releaser.join();

    assertThat(counter.inFlight("acme")).isZero();
    assertThat(freedOnce.get()).isEqualTo(acquired.get()).isPositive();
    assertThat(counter.tryAcquire("acme", 1)).isNotNull();
  }

  @Test
  void evictsKeysWithNothingInFlight() {
    Slot slot = counter.tryAcquire("a", 1);
    counter.tryAcquire("b", 1).release();

    assertThat(counter.evictIdle()).isEqualTo(1);
    slot.release();
    assertThat(counter.evictIdle()).isEqualTo(1);
    assertThat(counter.tryAcquire("a", 1)).isNotNull();
  }

  private static void count(AtomicInteger freed, boolean released) {
    if (released) {
      freed.incrementAndGet();
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
