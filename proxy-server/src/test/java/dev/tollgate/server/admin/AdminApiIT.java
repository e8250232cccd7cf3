package dev.tollgate.server.admin;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.core.auth.ApiKeys;
import dev.tollgate.server.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin and ops listener over real HTTP: key lifecycle, input validation, admin auth and ops endpoints. */
class AdminApiIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  static WireMockServer upstream;
  static TestGateway gateway;
  final HttpClient http = HttpClient.newHttpClient();
  /** Every admin response body this class saw, checked for provider keys at the end. */
  static final List<String> adminBodies = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    upstream = new WireMockServer(options().dynamicPort());
    upstream.start();
    gateway = TestGateway.start("providers:\n  openai:\n    baseUrl: " + upstream.baseUrl() + "\n");
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    upstream.stop();
    synchronized (adminBodies) {
      assertThat(adminBodies).isNotEmpty().noneMatch(body -> body.contains(TestGateway.OPENAI_KEY)
          || body.contains(TestGateway.ANTHROPIC_KEY) || body.contains(TestGateway.ADMIN_TOKEN));
    }
  }

  @BeforeEach
  void reset() {
    upstream.resetAll();
    upstream.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json")
        .withBody("{\"id\":\"c\",\"model\":\"gpt-4o\",\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}")));
  }

  @Test
  void createdKeyIsShownOnceWorksIsListedWithoutSecretsAndStopsWorkingOnceRevoked() throws Exception {
    admin("POST", "/admin/tenants", "{\"id\":\"lifecycle\",\"name\":\"Lifecycle Inc\",\"plan\":\"free\"}", 201);
    JsonNode created = admin("POST", "/admin/tenants/lifecycle/keys", "{\"name\":\"ci\"}", 201);
    String key = created.get("key").asText();
    String keyId = created.get("id").asText();
    assertThat(key).startsWith("tg_");
    assertThat(created.get("active").asBoolean()).isTrue();
    assertThat(created.get("project").asText()).isEqualTo("default");

    assertThat(chat(key).statusCode()).isEqualTo(200);

    HttpResponse<String> listed = adminRaw("GET", "/admin/tenants/lifecycle/keys", null, TestGateway.ADMIN_TOKEN);
    assertThat(listed.statusCode()).isEqualTo(200);
    assertThat(listed.body()).doesNotContain(key).doesNotContain(ApiKeys.hash(key));
    JsonNode entry = JSON.readTree(listed.body()).get("data").get(0);
    assertThat(entry.get("id").asText()).isEqualTo(keyId);
    assertThat(entry.has("key")).isFalse();
    assertThat(key).startsWith(entry.get("prefix").asText());
    assertThat(entry.get("prefix").asText()).hasSizeGreaterThan("tg_".length());

    JsonNode revoked = admin("DELETE", "/admin/tenants/lifecycle/keys/" + keyId, null, 200);
    assertThat(revoked.get("active").asBoolean()).isFalse();
    assertThat(revoked.get("revokedAt").isNull()).isFalse();
    assertThat(statusWithinOneSecond(key, 401)).isEqualTo(401);
    upstream.verify(1, anyRequestedFor(anyUrl()));
  }

  @Test
  void keyForANamedProjectNeedsThatProjectToExist() throws Exception {
    admin("POST", "/admin/tenants", "{\"id\":\"projects\",\"name\":\"P\",\"plan\":\"free\"}", 201);
    JsonNode error = admin("POST", "/admin/tenants/projects/keys", "{\"project\":\"mobile\"}", 400);
    assertThat(error.get("error").get("message").asText()).contains("project").contains("mobile");

    admin("POST", "/admin/tenants/projects/projects", "{\"id\":\"mobile\",\"name\":\"Mobile app\"}", 201);
    JsonNode key = admin("POST", "/admin/tenants/projects/keys", "{\"project\":\"mobile\"}", 201);
    assertThat(key.get("project").asText()).isEqualTo("mobile");
  }

  @Test
  void rejectsInvalidTenantInputWithAMessageNamingTheField() throws Exception {
    assertThat(message(admin("POST", "/admin/tenants", "{\"name\":\"n\",\"plan\":\"free\"}", 400)))
        .startsWith("id: missing");
    assertThat(message(admin("POST", "/admin/tenants", "{\"id\":\"Bad Id!\",\"name\":\"n\",\"plan\":\"free\"}", 400)))
        .startsWith("id: 'Bad Id!'");
    assertThat(message(admin("POST", "/admin/tenants",
        "{\"id\":\"ok\",\"name\":\"n\",\"plan\":\"free\",\"colour\":\"red\"}", 400)))
        .startsWith("colour: unknown field");
    assertThat(admin("POST", "/admin/tenants", "{\"id\":", 400).get("error").get("code").asText())
        .isEqualTo("invalid_json");
    assertThat(admin("POST", "/admin/tenants", "[1,2]", 400).get("error").get("code").asText())
        .isEqualTo("invalid_json");
    admin("GET", "/admin/tenants/ok", null, 404);
  }

  @Test
  void duplicateTenantIsAConflict() throws Exception {
    admin("POST", "/admin/tenants", "{\"id\":\"twice\",\"name\":\"T\",\"plan\":\"free\"}", 201);
    assertThat(admin("POST", "/admin/tenants", "{\"id\":\"twice\",\"name\":\"T\",\"plan\":\"free\"}", 409)
        .get("error").get("code").asText()).isEqualTo("conflict");
  }

  @Test
  void unknownTenantOrKeyIsNotFound() throws Exception {
    admin("GET", "/admin/tenants/nobody", null, 404);
    admin("POST", "/admin/tenants/nobody/keys", "{}", 404);
    admin("GET", "/admin/tenants/nobody/keys", null, 404);
    admin("POST", "/admin/tenants", "{\"id\":\"keyless\",\"name\":\"K\",\"plan\":\"free\"}", 201);
    admin("DELETE", "/admin/tenants/keyless/keys/key_doesnotexist", null, 404);
    admin("GET", "/admin/no-such-route", null, 404);
  }

  @Test
  void keyOfAnotherTenantCannotBeRevokedThroughThisTenant() throws Exception {
    admin("POST", "/admin/tenants", "{\"id\":\"owner\",\"name\":\"O\",\"plan\":\"free\"}", 201);
    admin("POST", "/admin/tenants", "{\"id\":\"intruder\",\"name\":\"I\",\"plan\":\"free\"}", 201);
    JsonNode created = admin("POST", "/admin/tenants/owner/keys", "{}", 201);

    admin("DELETE", "/admin/tenants/intruder/keys/" + created.get("id").asText(), null, 404);

    assertThat(chat(created.get("key").asText()).statusCode()).isEqualTo(200);
  }

  @Test
  void adminRoutesRequireTheAdminToken() throws Exception {
    String body = "{\"id\":\"sneaky\",\"name\":\"S\",\"plan\":\"free\"}";
    assertThat(adminRaw("POST", "/admin/tenants", body, null).statusCode()).isEqualTo(401);
    assertThat(adminRaw("POST", "/admin/tenants", body, "wrong-token").statusCode()).isEqualTo(401);
    assertThat(adminRaw("POST", "/admin/tenants", body, TestGateway.ADMIN_TOKEN + "x").statusCode()).isEqualTo(401);
    HttpResponse<String> unauthorized = adminRaw("GET", "/admin/tenants/sneaky", null, "wrong-token");
    assertThat(unauthorized.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(unauthorized.body()).get("error").get("code").asText()).isEqualTo("invalid_admin_token");
    admin("GET", "/admin/tenants/sneaky", null, 404);
  }

  @Test
  void opsEndpointsAnswerWithoutTheAdminToken() throws Exception {
    String key = gateway.createTenantWithKey("metered");
    assertThat(chat(key).statusCode()).isEqualTo(200);

    HttpResponse<String> health = adminRaw("GET", "/healthz", null, null);
    HttpResponse<String> ready = adminRaw("GET", "/readyz", null, null);
    HttpResponse<String> metrics = adminRaw("GET", "/metrics", null, null);

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    assertThat(metrics.body()).contains("tollgate_requests_total").doesNotContain(key);
  }

  private HttpResponse<String> chat(String key) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
            .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o\",\"messages\":[]}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Polls the data plane for at most one second until {@code key} gets {@code expected}; returns the last status. */
  private int statusWithinOneSecond(String key, int expected) throws Exception {
    long deadline = System.nanoTime() + 1_000_000_000L;
    int status;
    do {
      status = chat(key).statusCode();
      if (status == expected) {
        return status;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    return status;
  }

  private JsonNode admin(String method, String path, String body, int expectedStatus) throws Exception {
    HttpResponse<String> response = adminRaw(method, path, body, TestGateway.ADMIN_TOKEN);
    assertThat(response.statusCode()).as(method + " " + path + " -> " + response.body()).isEqualTo(expectedStatus);
    return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
  }

  private HttpResponse<String> adminRaw(String method, String path, String body, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.adminUrl() + path))
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    synchronized (adminBodies) {
      adminBodies.add(response.body());
    }
    return response;
  }

  private static String message(JsonNode error) {
    return error.get("error").get("message").asText();
  }
}
