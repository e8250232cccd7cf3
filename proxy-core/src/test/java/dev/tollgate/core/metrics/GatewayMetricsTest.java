package dev.tollgate.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.clock.CoarseClock;
import dev.tollgate.core.usage.TokenUsage;
import io.micrometer.core.instrument.Clock;
import org.junit.jupiter.api.Test;

class GatewayMetricsTest {

  @Test
  void countsEachRequestUnderItsOwnLabelsWhateverCameJustBefore() {
    GatewayMetrics metrics = new GatewayMetrics();
    GatewayMetrics other = new GatewayMetrics();
    String tenant = "acme";
    metrics.recordRequest(tenant, "openai", "chat.completions", 200, 1_000_000);
    metrics.recordRequest(tenant, "openai", "chat.completions", 200, 1_000_000);
    other.recordRequest(tenant, "openai", "chat.completions", 200, 1_000_000); // same labels, other registry
    metrics.recordRequest(tenant, "openai", "chat.completions", 429, 1_000_000);
    metrics.recordRequest(new String("acme"), "openai", "chat.completions", 200, 1_000_000); // equal, not same
    metrics.recordRequest("globex", "openai", "chat.completions", 200, 1_000_000);
    metrics.recordRequest(null, null, null, 401, 1_000_000);

    assertThat(metrics.scrape())
        .contains(requests("acme", "chat.completions", "openai", 200) + " 3.0")
        .contains(requests("acme", "chat.completions", "openai", 429) + " 1.0")
        .contains(requests("globex", "chat.completions", "openai", 200) + " 1.0")
        .contains(requests("-", "-", "-", 401) + " 1.0")
        .contains("tollgate_request_duration_seconds_count{operation=\"chat.completions\",provider=\"openai\"} 5");
    assertThat(other.scrape()).contains(requests("acme", "chat.completions", "openai", 200) + " 1.0");
  }

  @Test
  void countsTokensUnderTheirOwnModelAndKindWhateverCameJustBefore() {
    GatewayMetrics metrics = new GatewayMetrics();
    GatewayMetrics other = new GatewayMetrics();
    metrics.recordTokens("openai", "gpt-4o", TokenUsage.of(10, 5));
    metrics.recordTokens("openai", new String("gpt-4o"), new TokenUsage(1, 0, 3, 0, 2, 0, 0)); // equal, not same
    metrics.recordTokens("openai", "gpt-4o-mini", TokenUsage.of(7, 0));
    other.recordTokens("openai", "gpt-4o-mini", TokenUsage.of(100, 0)); // same labels, other registry
    metrics.recordTokens("anthropic", "gpt-4o-mini", TokenUsage.of(4, 0));
    metrics.recordTokens("openai", "gpt-4o", TokenUsage.of(0, 1));
    metrics.recordTokens(null, null, TokenUsage.of(2, 0));

    assertThat(metrics.scrape())
        .contains(tokens("input", "gpt-4o", "openai") + " 11.0")
        .contains(tokens("output", "gpt-4o", "openai") + " 6.0")
        .contains(tokens("cached_input", "gpt-4o", "openai") + " 3.0")
        .contains(tokens("reasoning", "gpt-4o", "openai") + " 2.0")
        .contains(tokens("input", "gpt-4o-mini", "openai") + " 7.0")
        .contains(tokens("input", "gpt-4o-mini", "anthropic") + " 4.0")
        .contains(tokens("input", "-", "-") + " 2.0")
        .doesNotContain(tokens("output", "gpt-4o-mini", "openai"))
        .doesNotContain(tokens("audio_input", "gpt-4o", "openai"));
    assertThat(other.scrape()).contains(tokens("input", "gpt-4o-mini", "openai") + " 100.0");
  }

  @Test
  void theRegistrysWallClockFollowsTheSystemClockAndNeverLeadsIt() throws InterruptedException {
    Clock clock = new GatewayMetrics().registry().config().clock();
    long start = System.currentTimeMillis();
    long deadline = start + 10_000;
    while (clock.wallTime() < start + 2 * CoarseClock.TICK_MILLIS && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    long read = clock.wallTime();
    assertThat(read).isGreaterThanOrEqualTo(start + 2 * CoarseClock.TICK_MILLIS)
        .isLessThanOrEqualTo(System.currentTimeMillis());
    assertThat(clock.monotonicTime()).isLessThanOrEqualTo(System.nanoTime());
  }

  private static String tokens(String kind, String model, String provider) {
    return "tollgate_tokens_total{kind=\"" + kind + "\",model=\"" + model + "\",provider=\"" + provider + "\"}";
  }

  private static String requests(String tenant, String operation, String provider, int status) {
    return "tollgate_requests_total{operation=\"" + operation + "\",provider=\"" + provider + "\",status=\""
        + status + "\",tenant=\"" + tenant + "\"}";
  }
}
