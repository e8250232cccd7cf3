package dev.tollgate.core.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import org.junit.jupiter.api.Test;

class MarginAlertTest {

  private final AlertStore store = new InMemoryAlertStore();
  private final MarginAlert margin = new MarginAlert(store, Clock.systemUTC());

  @Test
  void staysQuietWhileCostIsWithinTheMarginTarget() {
    // Price 69.00, target 60 %: the line is a cost of 27.60.
    assertThat(margin.check("acme", "2026-11", 69_000_000, 27_600_000, 60)).isEmpty();
  }

  @Test
  void firesOncePerPeriodWhenCostPassesTheLine() {
    AlertEvent event = margin.check("acme", "2026-11", 69_000_000, 27_600_001, 60).orElseThrow();

    assertThat(event.type()).isEqualTo(AlertEvent.MARGIN_TARGET);
    assertThat(event.fields()).containsEntry("providerCostMicros", 27_600_001L).containsEntry("marginTargetPercent", 60);
    assertThat(margin.check("acme", "2026-11", 69_000_000, 40_000_000, 60)).isEmpty();
    assertThat(margin.check("acme", "2026-12", 69_000_000, 40_000_000, 60)).isPresent();
  }

  @Test
  void doesNotRefireFromANewInstanceOverTheSameStore() {
    assertThat(margin.check("acme", "2026-11", 100, 50, 60)).isPresent();

    MarginAlert afterRestart = new MarginAlert(store, Clock.systemUTC());
    assertThat(afterRestart.check("acme", "2026-11", 100, 60, 60)).isEmpty();
  }

  @Test
  void keepsTheSameEventIdForTheSameTenantAndPeriod() {
    String first = margin.check("acme", "2026-11", 100, 50, 60).orElseThrow().eventId();
    String again = AlertEvent.eventId("acme", "2026-11", MarginAlert.ALERT_KEY);
    assertThat(again).isEqualTo(first);
  }
}
