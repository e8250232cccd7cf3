package dev.tollgate.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthFailureAuditLimiterTest {

  private static final Instant T0 = Instant.parse("2026-01-02T03:04:00Z");

  private final AuthFailureAuditLimiter limiter = new AuthFailureAuditLimiter(5, Duration.ofMinutes(1), 3);

  @Test
  void recordsTheFirstFailuresOfAWindowThenSummarisesTheRest() {
    List<AuditEvent> recorded = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      recorded.addAll(limiter.onFailure(failure("198.51.100.7"), T0.plusMillis(i)));
    }
    assertThat(recorded).hasSize(5).allMatch(e -> e.action().equals("auth.failure"));

    List<AuditEvent> next = limiter.onFailure(failure("198.51.100.7"), T0.plusSeconds(60));

    assertThat(next).hasSize(2);
    assertThat(next.get(0).action()).isEqualTo(AuthFailureAuditLimiter.SUPPRESSED_ACTION);
    assertThat(next.get(0).target()).isEqualTo("suppressed=995 windowSeconds=60");
    assertThat(next.get(0).sourceAddress()).isEqualTo("198.51.100.7");
    assertThat(next.get(1).action()).isEqualTo("auth.failure");
  }

  @Test
  void sourcesAreLimitedIndependently() {
    for (int i = 0; i < 5; i++) {
      limiter.onFailure(failure("198.51.100.7"), T0);
    }

    assertThat(limiter.onFailure(failure("198.51.100.7"), T0)).isEmpty();
    assertThat(limiter.onFailure(failure("203.0.113.9"), T0)).hasSize(1);
  }

  @Test
  void drainingReportsQuietSourcesAndForgetsThem() {
    for (int i = 0; i < 8; i++) {
      limiter.onFailure(failure("198.51.100.7"), T0);
    }
    limiter.onFailure(failure("203.0.113.9"), T0);

    assertThat(limiter.drainExpired(T0.plusSeconds(59))).isEmpty();
    List<AuditEvent> summaries = limiter.drainExpired(T0.plusSeconds(60));

    assertThat(summaries).singleElement().satisfies(e -> {
      assertThat(e.sourceAddress()).isEqualTo("198.51.100.7");
      assertThat(e.target()).isEqualTo("suppressed=3 windowSeconds=60");
    });
    assertThat(limiter.trackedSources()).isZero();
  }

  @Test
  void aFloodFromManyAddressesSharesOneOverflowBucket() {
    List<AuditEvent> recorded = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      recorded.addAll(limiter.onFailure(failure("10.0." + (i / 256) + "." + (i % 256)), T0));
    }

    // 3 tracked sources record 1 each; the overflow bucket records 5 and suppresses the rest.
    assertThat(recorded).hasSize(3 + 5);
    assertThat(limiter.trackedSources()).isEqualTo(4);
    assertThat(limiter.drainExpired(T0.plusSeconds(60))).singleElement()
        .satisfies(e -> assertThat(e.sourceAddress()).isEqualTo(AuthFailureAuditLimiter.OVERFLOW_SOURCE));
  }

  private static AuditEvent failure(String source) {
    return new AuditEvent("key:unknown", null, "auth.failure", null, source, AuditOutcome.DENIED);
  }
}
