package dev.tollgate.server.realtime;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.server.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code POST /session}, {@code /turn-credentials} and {@code /telemetry/ice} on a real gateway, provider in WireMock. */
class SessionEndpointsIT {

  private static final String SECRETS_PATH = "/v1/realtime/client_secrets";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static WireMockServer provider;
  private static TestGateway gateway;
  private static int tenants;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    provider = new WireMockServer(options().dynamicPort());
    provider.start();
    Path catalogue = RealtimeFixtures.catalogue();
    gateway = TestGateway.start(RealtimeFixtures.overlay(provider.baseUrl(), catalogue,
        "realtime:\n  turnBurst: 2\n  turnRequestsPerSecond: 0.001\n"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    provider.stop();
  }

  @BeforeEach
  void stubProvider() {
    provider.resetAll();
    provider.stubFor(post(urlEqualTo(SECRETS_PATH)).willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json")
        .withBody("{\"value\":\"ek_test_secret\",\"expires_at\":1900000000,"
            + "\"session\":{\"type\":\"realtime\",\"model\":\"gpt-realtime\"}}")));
  }

  @Test
  void sessionMintsTheProviderSecretWithTheTenantsKeyAndNoTurnByDefault() throws Exception {
    String key = tenantKey("rt");

    HttpResponse<String> response = call("/session", key, "{\"model\":\"gpt-realtime\"}", null);

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("client_secret").asText()).isEqualTo("ek_test_secret");
    assertThat(body.get("expires_at").asLong()).isEqualTo(1900000000L);
    assertThat(body.get("session_id").asText()).startsWith("rs_");
    assertThat(body.get("session_token").asText()).contains(".");
    assertThat(body.has("turn")).isFalse();
    provider.verify(1, postRequestedFor(urlEqualTo(SECRETS_PATH))
        .withHeader("Authorization", equalTo("Bearer " + TestGateway.OPENAI_KEY))
        .withRequestBody(matchingJsonPath("$.session.model", equalTo("gpt-realtime")))
        .withRequestBody(matchingJsonPath("$.session.type", equalTo("realtime"))));
  }

  @Test
  void turnAlwaysIncludesTurnCredentialsInTheSession() throws Exception {
    String key = tenantKey("rt");

    JsonNode body = JSON.readTree(call("/session", key, "{\"turn\":\"always\",\"user\":\"alice\"}", null).body());

    JsonNode turn = body.get("turn");
    assertThat(turn.get("source").asText()).isEqualTo("rest-secret");
    assertThat(turn.get("username").asText()).endsWith(":alice");
    assertThat(turn.get("iceServers").toString()).contains("turn:127.0.0.1:3478?transport=udp");
  }

  @Test
  void repeatingAnIdempotencyKeyReturnsTheSameSessionWithoutAskingTheProviderAgain() throws Exception {
    String key = tenantKey("rt");

    JsonNode first = JSON.readTree(call("/session", key, "{}", "idem-1").body());
    JsonNode second = JSON.readTree(call("/session", key, "{}", "idem-1").body());
    JsonNode other = JSON.readTree(call("/session", key, "{}", "idem-2").body());

    assertThat(second.get("session_id")).isEqualTo(first.get("session_id"));
    assertThat(second.get("session_token")).isEqualTo(first.get("session_token"));
    assertThat(other.get("session_id")).isNotEqualTo(first.get("session_id"));
    provider.verify(2, postRequestedFor(urlEqualTo(SECRETS_PATH)));
  }

  @Test
  void sessionsCountAgainstTheMonthlyQuota() throws Exception {
    String key = tenantKey("tiny");

    assertThat(call("/session", key, "{}", null).statusCode()).isEqualTo(200);
    assertThat(call("/session", key, "{}", null).statusCode()).isEqualTo(200);
    HttpResponse<String> third = call("/session", key, "{}", null);

    assertThat(third.statusCode()).isEqualTo(429);
    assertThat(third.body()).contains("quota_exceeded");
    provider.verify(2, postRequestedFor(urlEqualTo(SECRETS_PATH)));
  }

  @Test
  void aSessionHoldsAConcurrencySlotWhileTheProviderAnswers() throws Exception {
    String key = tenantKey("single");
    provider.stubFor(post(urlEqualTo(SECRETS_PATH)).willReturn(aResponse().withStatus(200)
        .withFixedDelay(1500).withBody("{\"value\":\"ek_slow\",\"expires_at\":1900000000}")));

    CompletableFuture<HttpResponse<String>> first = http.sendAsync(request("/session", key, "{}", null),
        HttpResponse.BodyHandlers.ofString());
    while (provider.findAll(postRequestedFor(urlEqualTo(SECRETS_PATH))).isEmpty()) {
      Thread.sleep(10);
    }
    HttpResponse<String> second = call("/session", key, "{}", null);

    assertThat(second.statusCode()).isEqualTo(429);
    assertThat(second.body()).contains("concurrency_limit_exceeded");
    assertThat(first.get().statusCode()).isEqualTo(200);
    assertThat(call("/session", key, "{}", null).statusCode()).isEqualTo(200);
  }

  @Test
  void aProviderRefusalIsABadGatewayThatIsNotReplayedForTheSameIdempotencyKey() throws Exception {
    String key = tenantKey("rt");
    provider.stubFor(post(urlEqualTo(SECRETS_PATH)).willReturn(aResponse().withStatus(401).withBody("{}")));

    HttpResponse<String> refused = call("/session", key, "{}", "idem-fail");
    stubProvider();
    HttpResponse<String> retried = call("/session", key, "{}", "idem-fail");

    assertThat(refused.statusCode()).isEqualTo(502);
    assertThat(refused.body()).contains("HTTP 401").doesNotContain(TestGateway.OPENAI_KEY);
    assertThat(retried.statusCode()).isEqualTo(200);
  }

  @Test
  void turnCredentialsAcceptTheSessionTokenAndTheTenantKey() throws Exception {
    String key = tenantKey("rt");
    String token = JSON.readTree(call("/session", key, "{\"user\":\"bob\"}", null).body())
        .get("session_token").asText();

    HttpResponse<String> withToken = call("/turn-credentials", token, "", null);
    HttpResponse<String> withKey = call("/turn-credentials", key, "{\"user\":\"carol\"}", null);

    assertThat(withToken.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(withToken.body()).get("username").asText()).endsWith(":bob");
    assertThat(withKey.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(withKey.body()).get("username").asText()).endsWith(":carol");
    assertThat(call("/turn-credentials", token + "x", "", null).statusCode()).isEqualTo(401);
  }

  @Test
  void turnCredentialsAreRateLimitedPerTenantAndUser() throws Exception {
    String key = tenantKey("rt");

    assertThat(call("/turn-credentials", key, "{\"user\":\"dave\"}", null).statusCode()).isEqualTo(200);
    assertThat(call("/turn-credentials", key, "{\"user\":\"dave\"}", null).statusCode()).isEqualTo(200);
    HttpResponse<String> third = call("/turn-credentials", key, "{\"user\":\"dave\"}", null);
    HttpResponse<String> otherUser = call("/turn-credentials", key, "{\"user\":\"erin\"}", null);

    assertThat(third.statusCode()).isEqualTo(429);
    assertThat(third.headers().firstValue("retry-after")).isPresent();
    assertThat(otherUser.statusCode()).isEqualTo(200);
    assertThat(metrics()).contains("tollgate_turn_credentials_total{outcome=\"rate_limited\"}")
        .contains("tollgate_turn_cache_hits_total");
  }

  @Test
  void aPlanWithoutTurnIsRefusedTurnCredentials() throws Exception {
    String key = tenantKey("noturn");

    HttpResponse<String> turn = call("/turn-credentials", key, "{}", null);
    HttpResponse<String> session = call("/session", key, "{\"turn\":\"always\"}", null);

    assertThat(turn.statusCode()).isEqualTo(403);
    assertThat(turn.body()).contains("TURN");
    assertThat(session.statusCode()).isEqualTo(403);
    assertThat(call("/session", key, "{}", null).statusCode()).isEqualTo(200);
  }

  @Test
  void iceTelemetryIsExportedAsTheShareOfSessionsNeedingTurn() throws Exception {
    String key = tenantKey("rt");

    assertThat(call("/telemetry/ice", key, "{\"needed_turn\":true,\"candidate_type\":\"relay\",\"relay_seconds\":12.5}",
        null).statusCode()).isEqualTo(204);
    assertThat(call("/telemetry/ice", key, "{\"needed_turn\":false,\"candidate_type\":\"srflx\"}", null)
        .statusCode()).isEqualTo(204);
    assertThat(call("/telemetry/ice", key, "{\"candidate_type\":\"srflx\"}", null).statusCode()).isEqualTo(400);

    assertThat(metrics()).contains("tollgate_ice_turn_share").contains("tollgate_ice_relay_seconds_sum")
        .contains("tollgate_ice_reports_total{needed_turn=\"true\"}");
  }

  @Test
  void localEndpointsNeedACredential() throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/session"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(401);
    provider.verify(0, postRequestedFor(urlEqualTo(SECRETS_PATH)));
  }

  private static String tenantKey(String plan) throws Exception {
    String id = "rt-" + plan + "-" + (++tenants);
    gateway.createTenant(id, plan);
    return gateway.createKey(id).get("key").asText();
  }

  private HttpResponse<String> call(String path, String credential, String body, String idempotencyKey)
      throws Exception {
    return http.send(request(path, credential, body, idempotencyKey), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest request(String path, String credential, String body, String idempotencyKey) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path))
        .header("Authorization", "Bearer " + credential)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    return request.build();
  }

  private String metrics() throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.adminUrl() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }
}
