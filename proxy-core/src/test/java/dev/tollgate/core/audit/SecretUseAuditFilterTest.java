package dev.tollgate.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SecretUseAuditFilterTest {

  private static final Instant HOUR_START = Instant.parse("2026-01-02T03:00:00Z");

  private final SecretUseAuditFilter filter = new SecretUseAuditFilter(Duration.ofHours(1), 3);

  @Test
  void recordsOnlyTheFirstUseOfASecretInAnHour() {
    assertThat(filter.shouldRecord("t1", "openai", HOUR_START.plusSeconds(10))).isTrue();
    assertThat(filter.shouldRecord("t1", "openai", HOUR_START.plusSeconds(20))).isFalse();
    assertThat(filter.shouldRecord("t1", "openai", HOUR_START.plusSeconds(3599))).isFalse();

    assertThat(filter.shouldRecord("t1", "openai", HOUR_START.plusSeconds(3600))).isTrue();
  }

  @Test
  void secretsAndTenantsAreCountedSeparately() {
    assertThat(filter.shouldRecord("t1", "openai", HOUR_START)).isTrue();
    assertThat(filter.shouldRecord("t1", "anthropic", HOUR_START)).isTrue();
    assertThat(filter.shouldRecord("t2", "openai", HOUR_START)).isTrue();
  }

  @Test
  void staysWithinItsBoundAndNeverMissesAFirstUse() {
    for (int i = 0; i < 10; i++) {
      assertThat(filter.shouldRecord("t1", "s" + i, HOUR_START)).isTrue();
    }

    assertThat(filter.trackedKeys()).isLessThanOrEqualTo(3);
    assertThat(filter.shouldRecord("t1", "s0", HOUR_START.plusSeconds(3600))).isTrue();
  }
}
