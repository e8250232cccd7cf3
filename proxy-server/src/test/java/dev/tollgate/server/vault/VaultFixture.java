package dev.tollgate.server.vault;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tollgate.server.testing.TestGateway;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Base64;
import java.util.List;

/**
 * What the vault and audit ITs share: fresh KEKs, the YAML that turns the vault on, a chat call with a
 * tenant key, the Authorization header WireMock saw for it, and a JDBC connection to the gateway's
 * SQLite file for checks and tampering. Test threads only.
 */
final class VaultFixture {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String CHAT = "/v1/chat/completions";
  static final String CHAT_OK =
      "{\"id\":\"c\",\"model\":\"gpt-4o\",\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}";
  private static final SecureRandom RANDOM = new SecureRandom();

  private VaultFixture() {
  }

  /** A random 256-bit KEK as base64. */
  static String newKek() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  /** A random value for a secret, e.g. {@code sk-tenant-<hex>}. */
  static String secret(String prefix) {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return prefix + java.util.HexFormat.of().formatHex(bytes);
  }

  /** YAML: openai (and anthropic) at {@code upstream}, and the vault with {@code keks} as id/base64 pairs. */
  static String yaml(String upstream, String... idKeyPairs) {
    StringBuilder out = new StringBuilder("providers:\n  openai:\n    baseUrl: " + upstream + "\n"
        + "  anthropic:\n    baseUrl: " + upstream + "\n");
    if (idKeyPairs.length > 0) {
      out.append("vault:\n  keks:\n");
      for (int i = 0; i < idKeyPairs.length; i += 2) {
        out.append("    - {id: ").append(idKeyPairs[i]).append(", key: \"").append(idKeyPairs[i + 1]).append("\"}\n");
      }
    }
    return out.toString();
  }

  static WireMockServer upstream() {
    WireMockServer upstream = new WireMockServer(
        com.github.tomakehurst.wiremock.core.WireMockConfiguration.options().dynamicPort());
    upstream.start();
    upstream.stubFor(post(CHAT).willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json").withBody(CHAT_OK)));
    return upstream;
  }

  static HttpResponse<String> chat(HttpClient http, TestGateway gateway, String apiKey)
      throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + CHAT))
            .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o\",\"messages\":[]}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Sends one chat call and returns the Authorization header the provider received for it, or null when the
   * call never reached the provider. Not for concurrent use on one WireMock.
   */
  static Upstreamed chatAndCapture(HttpClient http, TestGateway gateway, WireMockServer upstream, String apiKey)
      throws IOException, InterruptedException {
    upstream.resetRequests();
    HttpResponse<String> response = chat(http, gateway, apiKey);
    List<LoggedRequest> seen = upstream.findAll(postRequestedFor(urlEqualTo(CHAT)));
    String authorization = seen.isEmpty() ? null : seen.get(seen.size() - 1).getHeader("Authorization");
    return new Upstreamed(response.statusCode(), response.body(), authorization);
  }

  /** A tenant with a project {@code p1} and API keys on its default project and on p1. */
  static TenantKeys tenant(TestGateway gateway, String id) throws IOException, InterruptedException {
    gateway.createTenant(id, "free");
    gateway.admin("POST", "/admin/tenants/" + id + "/projects", "{\"id\":\"p1\"}", 201);
    JsonNode defaultKey = gateway.createKey(id);
    JsonNode p1Key =
        gateway.admin("POST", "/admin/tenants/" + id + "/keys", "{\"name\":\"p1\",\"project\":\"p1\"}", 201);
    return new TenantKeys(id, defaultKey.get("key").asText(), defaultKey.get("id").asText(),
        p1Key.get("key").asText());
  }

  static void putSecret(TestGateway gateway, String tenant, String name, String value)
      throws IOException, InterruptedException {
    gateway.admin("PUT", "/admin/tenants/" + tenant + "/secrets/" + name, "{\"value\":\"" + value + "\"}", 200);
  }

  static Path database(TestGateway gateway) {
    return gateway.configFile().getParent().resolve("data").resolve("tollgate.db");
  }

  static Connection sql(Path database) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + database);
    try (var s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout = 5000");
    }
    return c;
  }

  /** What one chat call produced: status and body for the client, Authorization seen upstream (or null). */
  record Upstreamed(int status, String body, String upstreamAuthorization) {
  }

  /** A tenant's API keys: one on the default project, one on project p1. */
  record TenantKeys(String tenant, String defaultKey, String defaultKeyId, String p1Key) {
  }
}
