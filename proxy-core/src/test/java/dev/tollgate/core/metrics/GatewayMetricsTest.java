package dev.tollgate.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

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

  private static String requests(String tenant, String operation, String provider, int status) {
    return "tollgate_requests_total{operation=\"" + operation + "\",provider=\"" + provider + "\",status=\""
        + status + "\",tenant=\"" + tenant + "\"}";
  }
}
