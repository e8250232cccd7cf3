package dev.tollgate.core.quota;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.quota.SubjectTracker.Verdict;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SubjectTrackerTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-10T12:00:00Z"));
  private final SubjectTracker tracker = new SubjectTracker(clock);

  @Test
  void refusesANewSubjectPastTheMonthlyCapButKeepsServingKnownOnes() {
    assertThat(tracker.admit("acme", "m1", 2, 0).allowed()).isTrue();
    assertThat(tracker.admit("acme", "m2", 2, 0).allowed()).isTrue();

    assertThat(tracker.admit("acme", "m3", 2, 0).verdict()).isEqualTo(Verdict.TOO_MANY_SUBJECTS);
    assertThat(tracker.admit("acme", "m1", 2, 0).allowed()).isTrue();
    assertThat(tracker.admit("other", "m3", 2, 0).allowed()).isTrue();
    assertThat(tracker.distinctSubjects("acme")).isEqualTo(2);
  }

  @Test
  void startsCountingSubjectsAgainNextMonth() {
    tracker.admit("acme", "m1", 1, 0);
    assertThat(tracker.admit("acme", "m2", 1, 0).allowed()).isFalse();

    clock.advance(Duration.ofDays(30));

    assertThat(tracker.admit("acme", "m2", 1, 0).allowed()).isTrue();
  }

  @Test
  void holdsASubjectInCooldownAndSaysWhenToRetry() {
    assertThat(tracker.admit("acme", "m1", null, 300).allowed()).isTrue();
    clock.advance(Duration.ofSeconds(100));

    SubjectTracker.Decision cooling = tracker.admit("acme", "m1", null, 300);

    assertThat(cooling.verdict()).isEqualTo(Verdict.COOLING_DOWN);
    assertThat(cooling.retryAfterMillis()).isEqualTo(200_000);
    assertThat(tracker.admit("acme", "m2", null, 300).allowed()).isTrue();
    clock.advance(Duration.ofSeconds(200));
    assertThat(tracker.admit("acme", "m1", null, 300).allowed()).isTrue();
  }

  @Test
  void letsASubjectRetryAtOnceWhenItsRequestWasCancelled() {
    tracker.admit("acme", "m1", 5, 300);

    tracker.cancelCooldown("acme", "m1");

    assertThat(tracker.admit("acme", "m1", 5, 300).allowed()).isTrue();
  }
}
