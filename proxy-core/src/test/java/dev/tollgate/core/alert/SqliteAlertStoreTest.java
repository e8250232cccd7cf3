package dev.tollgate.core.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.store.SqliteStateStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteAlertStoreTest {

  @TempDir
  Path dataDir;

  @Test
  void keepsFiredAlertsAndDeliveryAttemptsAcrossARestart() {
    try (SqliteStateStore state = SqliteStateStore.open(dataDir)) {
      SqliteAlertStore store = new SqliteAlertStore(state);
      assertThat(store.markFired("acme", "2026-11", "usage.threshold:80", 1L)).isTrue();
      assertThat(store.markFired("acme", "2026-11", "usage.threshold:80", 2L)).isFalse();
      store.recordAttempt(new DeliveryAttempt("evt_1", "acme", 1, 503, DeliveryAttempt.Outcome.RETRYING, "", 3L));
      store.recordAttempt(new DeliveryAttempt("evt_1", "acme", 2, 200, DeliveryAttempt.Outcome.DELIVERED, "", 4L));
      assertThat(state.writeCount()).isEqualTo(3);
    }
    try (SqliteStateStore state = SqliteStateStore.open(dataDir)) {
      SqliteAlertStore store = new SqliteAlertStore(state);
      assertThat(store.hasFired("acme", "2026-11", "usage.threshold:80")).isTrue();
      assertThat(store.hasFired("acme", "2026-12", "usage.threshold:80")).isFalse();
      assertThat(store.attempts("evt_1")).extracting(DeliveryAttempt::attempt, DeliveryAttempt::statusCode)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(1, 503), org.assertj.core.groups.Tuple.tuple(2, 200));
      assertThat(store.delivered("evt_1")).isTrue();
      assertThat(store.delivered("evt_2")).isFalse();
    }
  }
}
