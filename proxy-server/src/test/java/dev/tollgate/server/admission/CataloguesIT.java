package dev.tollgate.server.admission;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.core.quota.QuotaLedger;
import dev.tollgate.core.quota.SubjectTracker;
import dev.tollgate.server.testing.TestGateway;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Both shipped catalogues load and govern real traffic: {@code config/plans/edge-gateway.yaml} for chat
 * completions, {@code config/plans/analysis-quota.yaml} for the product routes under {@code /ai/}
 * (premium routes, weights, machines per licence and the per-machine cooldown).
 */
class CataloguesIT {

  static WireMockServer upstream;
  static TestGateway edge;
  static TestGateway analysis;
  static Traffic edgeTraffic;
  static Traffic analysisTraffic;

  @BeforeAll
  static void start() throws Exception {
    upstream = new WireMockServer(options().dynamicPort());
    upstream.start();
    upstream.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json").withBody(Traffic.CHAT_OK)));
    upstream.stubFor(post(urlPathMatching("/ai/.*")).willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json").withBody("{\"analysis\":\"done\"}")));
    edge = TestGateway.start("providers:\n  openai:\n    baseUrl: " + upstream.baseUrl() + "\n"
        + "plans:\n  catalogueFile: " + TestGateway.projectFile("config/plans/edge-gateway.yaml") + "\n");
    analysis = TestGateway.start("providers:\n"
        + "  openai:\n    baseUrl: " + upstream.baseUrl() + "\n"
        + "  analysis:\n    baseUrl: " + upstream.baseUrl() + "\n    auth: bearer\n    apiKey: x\n"
        + "routes:\n  - {pathPrefix: /ai/, provider: analysis}\n"
        + "plans:\n  catalogueFile: " + TestGateway.projectFile("config/plans/analysis-quota.yaml") + "\n");
    edgeTraffic = new Traffic(edge);
    analysisTraffic = new Traffic(analysis);
  }

  @AfterAll
  static void stop() throws Exception {
    if (edge != null) {
      edge.close();
    }
    if (analysis != null) {
      analysis.close();
    }
    upstream.stop();
  }

  @BeforeEach
  void forgetUpstreamRequests() {
    upstream.resetRequests();
  }

  // --- edge-gateway ---

  @Test
  void edgeGatewayFreeTenantIsServedAndCountedAgainstTenThousandRequests() throws Exception {
    String key = tenantWithKey(edge, "edge-free", "free");

    assertThat(edgeTraffic.chat(key).statusCode()).isEqualTo(200);

    JsonNode standing = edgeTraffic.standing("edge-free");
    assertThat(standing.get("catalogue").asText()).isEqualTo("edge-gateway");
    assertThat(standing.get("unit").asText()).isEqualTo("requests");
    assertThat(standing.get("included").asLong()).isEqualTo(10_000);
    assertThat(standing.get("hardCap").asBoolean()).isTrue();
    assertThat(standing.get("used").asLong()).isEqualTo(1);
  }

  @Test
  void edgeGatewayFreePlanStopsAtItsHardCapAndProposesStarterWithPriceAndAmount() throws Exception {
    String key = tenantWithKey(edge, "edge-full", "free");
    // 9,999 of the month's 10,000 requests were used before (on this node or another sharing the store).
    QuotaLedger requests = edge.server().admission().ledgers().requests();
    assertThat(edge.server().store().tryTakeLease(requests.counterKey("edge-full", "included"), 9_999, 10_000))
        .isEqualTo(9_999);

    HttpResponse<String> last = edgeTraffic.chat(key);
    HttpResponse<String> refused = edgeTraffic.chat(key);

    assertThat(last.statusCode()).isEqualTo(200);
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(Traffic.errorCode(refused)).isEqualTo("quota_exceeded");
    assertThat(Traffic.errorMessage(refused))
        .contains("Plan 'free' includes 10000 requests per month")
        .contains("Upgrade to plan 'starter': 90000 requests per month for 9.00 EUR per month.");
    assertThat(refused.headers().firstValue("retry-after")).isPresent();
    upstream.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions")));
    assertThat(edgeTraffic.standing("edge-full").get("used").asLong()).isEqualTo(10_000);
  }

  // --- analysis-quota ---

  @Test
  void analysisStarterIsRefusedAPremiumRouteNamingPro() throws Exception {
    String key = tenantWithKey(analysis, "an-starter", "starter");

    HttpResponse<String> refused = analysisTraffic.send(analysisCall("/ai/correlate", key, "machine-1"));

    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(Traffic.errorCode(refused)).isEqualTo("plan_forbids_route");
    assertThat(Traffic.errorMessage(refused))
        .isEqualTo("Plan 'starter' does not include POST /ai/correlate; plan 'pro' does.");
    upstream.verify(0, postRequestedFor(urlEqualTo("/ai/correlate")));
  }

  @Test
  void analysisProMayCallThePremiumRoute() throws Exception {
    String key = tenantWithKey(analysis, "an-pro", "pro");

    HttpResponse<String> response = analysisTraffic.send(analysisCall("/ai/correlate", key, "machine-1"));

    assertThat(response.statusCode()).isEqualTo(200);
    upstream.verify(1, postRequestedFor(urlEqualTo("/ai/correlate")));
    assertThat(analysisTraffic.standing("an-pro").get("used").asLong()).isEqualTo(1);
  }

  @Test
  void analysisPdfReportCountsTwoAnalyses() throws Exception {
    String key = tenantWithKey(analysis, "an-pdf", "starter");

    HttpResponse<String> response = analysisTraffic.send(analysisCall("/ai/reports/pdf", key, "machine-1"));

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode standing = analysisTraffic.standing("an-pdf");
    assertThat(standing.get("unit").asText()).isEqualTo("analyses");
    assertThat(standing.get("used").asLong()).isEqualTo(2);
    assertThat(standing.get("remaining").asLong()).isEqualTo(148);
  }

  @Test
  void analysisWithoutSubjectHeaderIsABadRequest() throws Exception {
    String key = tenantWithKey(analysis, "an-anon", "starter");

    HttpResponse<String> response = analysisTraffic.send(analysisTraffic.post("/ai/analyze/vibration", key, "{}").build());

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(Traffic.errorMessage(response)).contains("X-Tollgate-Subject");
    upstream.verify(0, postRequestedFor(urlEqualTo("/ai/analyze/vibration")));
    assertThat(analysisTraffic.standing("an-anon").get("used").asLong()).isZero();
  }

  @Test
  void analysisStarterRefusesThe26thDistinctMachine() throws Exception {
    String key = tenantWithKey(analysis, "an-fleet", "starter");
    // 16 machines were seen earlier this month; the starter burst (10) lets the next 9 through HTTP at once.
    SubjectTracker subjects = analysis.server().admission().ledgers().subjects();
    for (int i = 1; i <= 16; i++) {
      assertThat(subjects.admit("an-fleet", "machine-" + i, 25, 300).allowed()).isTrue();
    }
    for (int i = 17; i <= 25; i++) {
      HttpResponse<String> response = analysisTraffic.send(analysisCall("/ai/analyze/vibration", key, "machine-" + i));
      assertThat(response.statusCode()).as("machine-%d: %s", i, response.body()).isEqualTo(200);
    }

    HttpResponse<String> refused = analysisTraffic.send(analysisCall("/ai/analyze/vibration", key, "machine-26"));

    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(Traffic.errorCode(refused)).isEqualTo("quota_exceeded");
    assertThat(Traffic.errorMessage(refused)).contains("allows 25 distinct X-Tollgate-Subject values per month");
    upstream.verify(9, postRequestedFor(urlEqualTo("/ai/analyze/vibration")));
  }

  @Test
  void analysisSameMachineWithinTheCooldownIsRefusedWithRetryAfter() throws Exception {
    String key = tenantWithKey(analysis, "an-cool", "starter");

    HttpResponse<String> first = analysisTraffic.send(analysisCall("/ai/analyze/vibration", key, "machine-7"));
    HttpResponse<String> again = analysisTraffic.send(analysisCall("/ai/analyze/vibration", key, "machine-7"));
    HttpResponse<String> other = analysisTraffic.send(analysisCall("/ai/analyze/vibration", key, "machine-8"));

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(again.statusCode()).isEqualTo(429);
    assertThat(Traffic.errorCode(again)).isEqualTo("rate_limit_exceeded");
    assertThat(Traffic.errorMessage(again)).contains("one counted request per 300 s for each X-Tollgate-Subject");
    assertThat(Long.parseLong(again.headers().firstValue("retry-after").orElseThrow())).isBetween(1L, 300L);
    assertThat(other.statusCode()).as("another machine is not cooling down").isEqualTo(200);
    assertThat(analysisTraffic.standing("an-cool").get("used").asLong()).isEqualTo(2);
  }

  private static String tenantWithKey(TestGateway gateway, String id, String plan) throws Exception {
    gateway.createTenant(id, plan);
    return gateway.createKey(id).get("key").asText();
  }

  private static HttpRequest analysisCall(String path, String key, String machine) {
    return analysisTraffic.post(path, key, "{\"machine\":\"" + machine + "\"}")
        .header("X-Tollgate-Subject", machine).build();
  }
}
