package dev.tollgate.server.metering;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.server.testing.TestGateway;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A graceful restart on the same data directory keeps the ledger exact: every request answered before
 * the close — billable ones (journaled) and failed ones (only in memory until the closing flush) — is
 * counted once after one restart and still once after a second.
 */
class RestartIT {

  private static final int EACH_KIND = 6;
  private static final int FAILURES = 4;

  @TempDir
  Path dir;
  WireMockServer upstream;

  @BeforeEach
  void startUpstream() {
    upstream = new WireMockServer(options().dynamicPort());
    upstream.start();
    ProviderStubs.install(upstream);
    upstream.stubFor(post("/v1/chat/completions").atPriority(1)
        .withRequestBody(matchingJsonPath("$.model", equalTo("broken")))
        .willReturn(aResponse().withStatus(500).withHeader("content-type", "application/json")
            .withBody("{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}")));
  }

  @AfterEach
  void stopUpstream() {
    upstream.stop();
  }

  @Test
  void ledgerCountsSurviveTwoGracefulRestartsExactly() throws Exception {
    Map<String, long[]> expected = new TreeMap<>();
    String key;
    try (LedgerGateway first = start()) {
      first.createTenant("acme", "free");
      key = first.createKey("acme")[1];
      for (ProviderStubs kind : ProviderStubs.values()) {
        for (int i = 0; i < EACH_KIND; i++) {
          HttpResponse<String> response = first.http().send(kind.request(first.baseUrl(), key),
              HttpResponse.BodyHandlers.ofString());
          assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        }
        long[] row = expected.computeIfAbsent(kind.route + "|" + kind.model, k -> new long[3]);
        row[0] += EACH_KIND;
        row[1] += EACH_KIND * kind.inputTokens;
        row[2] += EACH_KIND * kind.outputTokens;
      }
      for (int i = 0; i < FAILURES; i++) {
        HttpResponse<String> response = first.http().send(LedgerGateway.openai(first.baseUrl(),
            "/v1/chat/completions", key, "{\"model\":\"broken\",\"messages\":[]}"), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isGreaterThanOrEqualTo(500);
      }
    }
    long total = (long) EACH_KIND * ProviderStubs.values().length + FAILURES;

    try (LedgerGateway second = start()) {
      assertLedger(second, expected, total);
    }
    try (LedgerGateway third = start()) {
      assertLedger(third, expected, total);
    }
  }

  private LedgerGateway start() throws Exception {
    return LedgerGateway.start(dir, upstream.baseUrl(), TestGateway.testCatalogue(), null);
  }

  private static void assertLedger(LedgerGateway gateway, Map<String, long[]> expected, long total) throws Exception {
    JsonNode totals = gateway.usageToday("acme", "");
    assertThat(totals).hasSize(1);
    assertThat(totals.get(0).get("requests").asLong()).isEqualTo(total);
    assertThat(totals.get(0).get("errors").asLong()).isEqualTo(FAILURES);
    Map<String, long[]> actual = new TreeMap<>();
    for (JsonNode row : gateway.usageToday("acme", "route,model")) {
      if (!row.get("model").asText().equals("broken")) {
        actual.put(row.get("route").asText() + "|" + row.get("model").asText(), new long[] {
            row.get("requests").asLong(), row.get("inputTokens").asLong(), row.get("outputTokens").asLong()});
      }
    }
    assertThat(actual).containsOnlyKeys(expected.keySet());
    expected.forEach((routeModel, row) -> assertThat(actual.get(routeModel)).as(routeModel).containsExactly(row));
  }
}
