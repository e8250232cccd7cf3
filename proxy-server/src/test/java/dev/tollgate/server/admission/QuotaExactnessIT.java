package dev.tollgate.server.admission;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.server.testing.TestGateway;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hard cap is exact end to end: 2,000 concurrent chat completions over many connections against
 * 500 included requests ({@code plans/quota-exactness.yaml}) are admitted exactly 500 times, and with
 * overage all 2,000 are admitted with exactly 1,500 billable.
 */
class QuotaExactnessIT {

  private static final int TOTAL = 2_000;
  private static final int WINDOW = 200;

  static WireMockServer upstream;
  static TestGateway gateway;
  static Traffic traffic;

  @BeforeAll
  static void start() throws Exception {
    upstream = new WireMockServer(options().dynamicPort().containerThreads(64));
    upstream.start();
    upstream.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json").withBody(Traffic.CHAT_OK)));
    gateway = TestGateway.start("providers:\n  openai:\n    baseUrl: " + upstream.baseUrl() + "\n"
        + "plans:\n  catalogueFile: " + Traffic.testResource("plans/quota-exactness.yaml") + "\n");
    traffic = new Traffic(gateway);
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    upstream.stop();
  }

  @BeforeEach
  void forgetUpstreamRequests() {
    upstream.resetRequests();
  }

  @Test
  void hardCapAdmitsExactly500Of2000ConcurrentRequests() throws Exception {
    gateway.createTenant("capped", "capped");
    String key = gateway.createKey("capped").get("key").asText();

    List<HttpResponse<String>> responses = traffic.fire(key, TOTAL, WINDOW);

    assertThat(Traffic.countByStatus(responses)).isEqualTo(Map.of(200, 500, 429, 1_500));
    assertThat(responses.stream().filter(r -> r.statusCode() == 429).map(Traffic::errorCode).distinct())
        .containsExactly("quota_exceeded");
    upstream.verify(500, postRequestedFor(urlEqualTo("/v1/chat/completions")));
    JsonNode standing = traffic.standing("capped");
    assertThat(standing.get("used").asLong()).isEqualTo(500);
    assertThat(standing.get("remaining").asLong()).isZero();
    assertThat(standing.get("billableOverageUnits").asLong()).isZero();
  }

  @Test
  void quotaRefusalNamesTheResetTimeAndTheUpgradePlanAndCarriesRetryAfter() throws Exception {
    gateway.createTenant("capped-once", "capped");
    String key = gateway.createKey("capped-once").get("key").asText();
    assertThat(Traffic.countByStatus(traffic.fire(key, 500, 50))).isEqualTo(Map.of(200, 500));

    HttpResponse<String> refused = traffic.chat(key);

    Instant reset = YearMonth.now(ZoneOffset.UTC).plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(Traffic.errorCode(refused)).isEqualTo("quota_exceeded");
    assertThat(Traffic.errorMessage(refused))
        .contains("Plan 'capped' includes 500 requests per month")
        .contains("resets at " + reset)
        .contains("Upgrade to plan 'growth': 5000 requests per month for 19.00 EUR per month.");
    long retryAfter = Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow());
    long secondsToReset = reset.getEpochSecond() - Instant.now().getEpochSecond();
    assertThat(retryAfter).isBetween(secondsToReset - 60, secondsToReset + 60);
    assertThat(refused.headers().firstValue("x-tollgate-quota-reset")).hasValue(reset.toString());
    assertThat(refused.headers().firstValue("x-tollgate-upgrade-plan")).hasValue("growth");
    upstream.verify(500, postRequestedFor(urlEqualTo("/v1/chat/completions")));
  }

  @Test
  void overageAdmitsAll2000AndBillsExactly1500() throws Exception {
    gateway.createTenant("paid", "paid");
    gateway.admin("PATCH", "/admin/tenants/paid", "{\"overage\":true}", 200);
    String key = gateway.createKey("paid").get("key").asText();

    List<HttpResponse<String>> responses = traffic.fire(key, TOTAL, WINDOW);

    assertThat(Traffic.countByStatus(responses)).isEqualTo(Map.of(200, TOTAL));
    upstream.verify(TOTAL, postRequestedFor(urlEqualTo("/v1/chat/completions")));
    JsonNode standing = traffic.standing("paid");
    assertThat(standing.get("overageAllowed").asBoolean()).isTrue();
    assertThat(standing.get("used").asLong()).isEqualTo(TOTAL);
    assertThat(standing.get("remaining").asLong()).isZero();
    assertThat(standing.get("billableOverageUnits").asLong()).isEqualTo(1_500);
  }

  @Test
  void paidPlanWithoutOverageOptInStopsAtItsIncludedAmount() throws Exception {
    gateway.createTenant("paid-no-optin", "paid");
    String key = gateway.createKey("paid-no-optin").get("key").asText();

    List<HttpResponse<String>> responses = traffic.fire(key, 600, WINDOW);

    assertThat(Traffic.countByStatus(responses)).isEqualTo(Map.of(200, 500, 429, 100));
    upstream.verify(500, postRequestedFor(urlEqualTo("/v1/chat/completions")));
    assertThat(traffic.standing("paid-no-optin").get("billableOverageUnits").asLong()).isZero();
  }
}
