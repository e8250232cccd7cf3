package dev.tollgate.core.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class GcraRateLimiterTest {

  private static final long MILLI = 1_000_000L;

  private final AtomicLong nanos = new AtomicLong(-5_000 * MILLI); // nanoTime may be negative
  private final GcraRateLimiter limiter = new GcraRateLimiter(nanos::get, 1_000);
  private final RateLimit onePerSecondBurstThree = new RateLimit(1, 3);

  @Test
  void allowsABurstThenRefusesWithRetryAfterAndHeaders() {
    RateLimitDecision first = limiter.tryAcquire("k", onePerSecondBurstThree);
    RateLimitDecision second = limiter.tryAcquire("k", onePerSecondBurstThree);
    RateLimitDecision third = limiter.tryAcquire("k", onePerSecondBurstThree);
    RateLimitDecision fourth = limiter.tryAcquire("k", onePerSecondBurstThree);

    assertThat(List.of(first, second, third)).allMatch(RateLimitDecision::allowed);
    assertThat(first).isEqualTo(new RateLimitDecision(true, 3, 2, 1_000, 0));
    assertThat(second).isEqualTo(new RateLimitDecision(true, 3, 1, 2_000, 0));
    assertThat(third).isEqualTo(new RateLimitDecision(true, 3, 0, 3_000, 0));
    assertThat(fourth).isEqualTo(new RateLimitDecision(false, 3, 0, 3_000, 1_000));
    assertThat(fourth.retryAfterSeconds()).isEqualTo(1);
    assertThat(fourth.resetSeconds()).isEqualTo(3);
  }

  @Test
  void refusalIsNullWhileAllowedAndRecordsLikeTryAcquire() {
    assertThat(limiter.refusal("k", onePerSecondBurstThree)).isNull();
    assertThat(limiter.refusal("k", onePerSecondBurstThree)).isNull();
    assertThat(limiter.tryAcquire("k", onePerSecondBurstThree))
        .isEqualTo(new RateLimitDecision(true, 3, 0, 3_000, 0));
    assertThat(limiter.refusal("k", onePerSecondBurstThree))
        .isEqualTo(new RateLimitDecision(false, 3, 0, 3_000, 1_000));
  }

  @Test
  void letsOneRequestThroughPerEmissionIntervalAfterTheBurst() {
    for (int i = 0; i < 3; i++) {
      limiter.tryAcquire("k", onePerSecondBurstThree);
    }

    nanos.addAndGet(400 * MILLI);
    RateLimitDecision early = limiter.tryAcquire("k", onePerSecondBurstThree);
    nanos.addAndGet(600 * MILLI);
    RateLimitDecision onTime = limiter.tryAcquire("k", onePerSecondBurstThree);
    RateLimitDecision again = limiter.tryAcquire("k", onePerSecondBurstThree);

    assertThat(early.allowed()).isFalse();
    assertThat(early.retryAfterMillis()).isEqualTo(600);
    assertThat(onTime.allowed()).isTrue();
    assertThat(onTime.remaining()).isZero();
    assertThat(again.allowed()).isFalse();
    assertThat(again.retryAfterMillis()).isEqualTo(1_000);
  }

  @Test
  void refillsTheWholeBurstAfterIdling() {
    for (int i = 0; i < 4; i++) {
      limiter.tryAcquire("k", onePerSecondBurstThree);
    }

    nanos.addAndGet(10_000 * MILLI);

    assertThat(limiter.tryAcquire("k", onePerSecondBurstThree))
        .isEqualTo(new RateLimitDecision(true, 3, 2, 1_000, 0));
  }

  @Test
  void keepsKeysIndependent() {
    for (int i = 0; i < 3; i++) {
      limiter.tryAcquire("tenant:a", onePerSecondBurstThree);
    }

    assertThat(limiter.tryAcquire("tenant:a", onePerSecondBurstThree).allowed()).isFalse();
    assertThat(limiter.tryAcquire("tenant:b", onePerSecondBurstThree).allowed()).isTrue();
  }

  @Test
  void supportsRatesBelowOnePerSecond() {
    RateLimit everyTwoSeconds = new RateLimit(0.5, 1);
    assertThat(limiter.tryAcquire("k", everyTwoSeconds).allowed()).isTrue();

    RateLimitDecision refused = limiter.tryAcquire("k", everyTwoSeconds);

    assertThat(refused.retryAfterMillis()).isEqualTo(2_000);
    assertThat(refused.retryAfterSeconds()).isEqualTo(2);
  }

  @Test
  void evictsKeysWhoseBucketIsFullAgain() {
    limiter.tryAcquire("a", onePerSecondBurstThree);
    limiter.tryAcquire("b", onePerSecondBurstThree);
    nanos.addAndGet(500 * MILLI);

    assertThat(limiter.evictIdle()).isZero();
    nanos.addAndGet(500 * MILLI);
    assertThat(limiter.evictIdle()).isEqualTo(2);
    assertThat(limiter.size()).isZero();
  }

  @Test
  void boundsMemoryByEvictingIdleKeysWhenFull() {
    GcraRateLimiter small = new GcraRateLimiter(nanos::get, 10);
    for (int i = 0; i < 10; i++) {
      small.tryAcquire("k" + i, onePerSecondBurstThree);
    }
    nanos.addAndGet(5_000 * MILLI);

    small.tryAcquire("new", onePerSecondBurstThree);

    assertThat(small.size()).isEqualTo(1);
  }

  @Test
  void allowsExactlyTheBurstToConcurrentCallersAtOneInstant() throws InterruptedException {
    RateLimit burstFifty = new RateLimit(10, 50);
    AtomicInteger allowed = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      threads.add(new Thread(() -> {
        for (int i = 0; i < 200; i++) {
          if (limiter.tryAcquire("hot", burstFifty).allowed()) {
            allowed.incrementAndGet();
          }
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      thread.join();
    }

    assertThat(allowed.get()).isEqualTo(50);
  }
}
