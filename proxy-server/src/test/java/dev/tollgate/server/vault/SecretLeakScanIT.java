package dev.tollgate.server.vault;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.server.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Runs every kind of traffic a gateway with tenant secrets sees (JSON and SSE relays, provider 401 and 500,
 * bad API keys and admin tokens, a record that does not decrypt, KEK and DEK rotation, audit, metrics) with
 * DEBUG logging for {@code dev.tollgate}, then looks for every secret in every log event, every response
 * (status line, headers and body, admin and data plane) and the metrics page. An API key may appear only
 * in the response that created it.
 */
class SecretLeakScanIT {

  static WireMockServer upstream;
  static ListAppender<ILoggingEvent> logs;
  static Logger root;
  final HttpClient http = HttpClient.newHttpClient();
  final List<Seen> seen = new ArrayList<>();

  @BeforeAll
  static void captureLogs() {
    upstream = VaultFixture.upstream();
    root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
  }

  @AfterAll
  static void stop() {
    root.detachAppender(logs);
    upstream.stop();
  }

  @Test
  void noSecretAppearsInLogsResponsesOrMetrics() throws Exception {
    String kek = VaultFixture.newKek();
    String tenantSecret = VaultFixture.secret("sk-tenant-leak-");
    String projectSecret = VaultFixture.secret("sk-project-leak-");
    String rejectedSecret = VaultFixture.secret("sk-revoked-at-provider-");
    String presentedBadKey = "tg_" + VaultFixture.secret("presented-but-unknown-");
    List<String> apiKeys = new ArrayList<>();
    upstream.stubFor(post(VaultFixture.CHAT).withRequestBody(containing("\"stream\":true")).atPriority(1)
        .willReturn(aResponse().withStatus(200).withHeader("content-type", "text/event-stream")
            .withBody("data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n"
                + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\n"
                + "data: [DONE]\n\n")));
    upstream.stubFor(post(VaultFixture.CHAT).withRequestBody(containing("\"model\":\"boom\"")).atPriority(1)
        .willReturn(aResponse().withStatus(500).withHeader("content-type", "application/json")
            .withBody("{\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}")));
    upstream.stubFor(post(VaultFixture.CHAT).withHeader("Authorization", containing(rejectedSecret)).atPriority(1)
        .willReturn(aResponse().withStatus(401).withHeader("content-type", "application/json")
            .withBody("{\"error\":{\"message\":\"Incorrect API key provided\",\"code\":\"invalid_api_key\"}}")));
    upstream.stubFor(post("/v1/messages").willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json")
        .withBody("{\"id\":\"m\",\"type\":\"message\",\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}")));

    TestGateway gateway = TestGateway.start(VaultFixture.yaml(upstream.baseUrl(), "k1", kek));
    try {
      // admin: tenants, projects, keys (each key in its own creation response), secrets
      for (String tenant : List.of("leaky", "rejected", "copied")) {
        admin(gateway, "POST", "/admin/tenants", "{\"id\":\"" + tenant + "\",\"name\":\"n\",\"plan\":\"free\"}");
        admin(gateway, "POST", "/admin/tenants/" + tenant + "/projects", "{\"id\":\"p1\"}");
        apiKeys.add(createKey(gateway, tenant, "default"));
      }
      String leakyKey = apiKeys.get(0);
      String leakyP1Key = createKey(gateway, "leaky", "p1");
      apiKeys.add(leakyP1Key);
      admin(gateway, "PUT", "/admin/tenants/leaky/secrets/openai", "{\"value\":\"" + tenantSecret + "\"}");
      admin(gateway, "PUT", "/admin/tenants/leaky/secrets/openai",
          "{\"value\":\"" + projectSecret + "\",\"project\":\"p1\"}");
      admin(gateway, "PUT", "/admin/tenants/rejected/secrets/openai", "{\"value\":\"" + rejectedSecret + "\"}");
      admin(gateway, "GET", "/admin/tenants/leaky/secrets", null);
      admin(gateway, "GET", "/admin/tenants/leaky/keys", null);

      // data plane: JSON, SSE, provider 500, provider 401, anthropic with the operator's key, bad API keys
      chat(gateway, leakyKey, "{\"model\":\"gpt-4o\",\"messages\":[]}", 200);
      chat(gateway, leakyP1Key, "{\"model\":\"gpt-4o\",\"messages\":[]}", 200);
      chat(gateway, leakyKey, "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[]}", 200);
      chat(gateway, leakyKey, "{\"model\":\"boom\",\"messages\":[]}", 500);
      chat(gateway, apiKeys.get(1), "{\"model\":\"gpt-4o\",\"messages\":[]}", 401);
      record("anthropic", http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/messages"))
          .header("x-api-key", apiKeys.get(2)).header("anthropic-version", "2023-06-01")
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"model\":\"claude-3-5-haiku\",\"max_tokens\":5,\"messages\":[]}"))
          .build(), HttpResponse.BodyHandlers.ofString()));
      chat(gateway, presentedBadKey, "{\"model\":\"gpt-4o\",\"messages\":[]}", 401);
      chat(gateway, leakyKey + "x", "{\"model\":\"gpt-4o\",\"messages\":[]}", 401);

      // a secret row copied to another tenant: the request fails with a vault error (logged with its cause)
      try (Connection c = VaultFixture.sql(VaultFixture.database(gateway)); Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO vault_deks SELECT 'copied', dek_version, kek_id, wrapped, created_at, encryptions"
            + " FROM vault_deks WHERE tenant_id = 'leaky'");
        s.executeUpdate("INSERT INTO vault_secrets SELECT 'copied', project_id, name, record, created_at, rotated_at"
            + " FROM vault_secrets WHERE tenant_id = 'leaky' AND project_id = ''");
      }
      chat(gateway, apiKeys.get(2), "{\"model\":\"gpt-4o\",\"messages\":[]}", 500);
      admin(gateway, "GET", "/admin/tenants/copied/secrets", null);

      // rotation, audit, a bad admin token, metrics
      admin(gateway, "POST", "/admin/tenants/leaky/secrets/rotate-dek", null);
      admin(gateway, "POST", "/admin/vault/rotate", null);
      chat(gateway, leakyKey, "{\"model\":\"gpt-4o\",\"messages\":[]}", 200);
      admin(gateway, "GET", "/admin/audit?limit=1000", null);
      admin(gateway, "GET", "/admin/audit/verify", null);
      record("bad admin token", http.send(HttpRequest.newBuilder(URI.create(gateway.adminUrl() + "/admin/audit"))
          .header("Authorization", "Bearer " + tenantSecret).build(), HttpResponse.BodyHandlers.ofString()));
      admin(gateway, "DELETE", "/admin/tenants/leaky/secrets/openai?project=p1", null);
      record("metrics", http.send(HttpRequest.newBuilder(URI.create(gateway.adminUrl() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()));
    } finally {
      gateway.close();
    }

    Map<String, String> secrets = new LinkedHashMap<>();
    secrets.put("tenant secret", tenantSecret);
    secrets.put("project secret", projectSecret);
    secrets.put("rejected tenant secret", rejectedSecret);
    secrets.put("operator OpenAI key", TestGateway.OPENAI_KEY);
    secrets.put("operator Anthropic key", TestGateway.ANTHROPIC_KEY);
    secrets.put("KEK", kek);
    secrets.put("admin token", TestGateway.ADMIN_TOKEN);
    secrets.put("presented unknown API key", presentedBadKey);
    for (int i = 0; i < apiKeys.size(); i++) {
      secrets.put("API key " + i, apiKeys.get(i));
    }
    for (String name : List.of("tenant secret", "project secret", "operator OpenAI key")) {
      String value = secrets.get(name);
      secrets.put(name + " without its last 4 characters", value.substring(0, value.length() - 4));
    }
    for (ILoggingEvent event : logs.list) {
      String text = event.getLoggerName() + " " + event.getFormattedMessage() + " " + event.getMDCPropertyMap()
          + (event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy()));
      seen.add(new Seen("log " + event.getLevel() + " " + event.getLoggerName(), text, null));
    }
    assertThat(LoggerFactory.getLogger("dev.tollgate.core").isDebugEnabled()).as("DEBUG on for dev.tollgate").isTrue();
    assertThat(logs.list).as("captured log events, the vault failures among them")
        .anySatisfy(event -> assertThat(event.getFormattedMessage()).contains("does not decrypt"));
    assertThat(seen).extracting(Seen::label).as("places scanned").contains("metrics", "anthropic", "bad admin token");
    assertThat(seen).filteredOn(place -> place.label().contains("\"stream\":true"))
        .singleElement().satisfies(sse -> assertThat(sse.text()).contains("text/event-stream", "data: [DONE]"));
    assertThat(seen).filteredOn(place -> place.label().equals("metrics"))
        .singleElement().satisfies(metrics -> assertThat(metrics.text()).contains("leaky"));

    List<String> leaks = new ArrayList<>();
    for (Seen place : seen) {
      secrets.forEach((name, value) -> {
        if (place.text().contains(value) && !value.equals(place.allowedKey())) {
          leaks.add(name + " in " + place.label());
        }
      });
    }
    assertThat(leaks).isEmpty();
  }

  private String createKey(TestGateway gateway, String tenant, String project) throws Exception {
    HttpResponse<String> response = gateway.adminRaw("POST", "/admin/tenants/" + tenant + "/keys",
        "{\"name\":\"k\",\"project\":\"" + project + "\"}");
    assertThat(response.statusCode()).isEqualTo(201);
    String key = VaultFixture.JSON.readTree(response.body()).get("key").asText();
    seen.add(new Seen("POST key for " + tenant, text(response), key));
    return key;
  }

  private JsonNode admin(TestGateway gateway, String method, String path, String body) throws Exception {
    HttpResponse<String> response = gateway.adminRaw(method, path, body);
    record(method + " " + path, response);
    return response.body().isEmpty() ? null : VaultFixture.JSON.readTree(response.body());
  }

  private void chat(TestGateway gateway, String apiKey, String body, int expectedStatus) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + VaultFixture.CHAT))
        .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(body + " -> " + response.body()).isEqualTo(expectedStatus);
    record("chat " + body, response);
  }

  private void record(String label, HttpResponse<String> response) {
    seen.add(new Seen(label, text(response), null));
  }

  private static String text(HttpResponse<String> response) {
    return response.statusCode() + " " + response.headers().map() + " " + response.body();
  }

  /** One place a secret could leak to: its label, its whole text, and the one API key it may show (or null). */
  private record Seen(String label, String text, String allowedKey) {
  }
}
