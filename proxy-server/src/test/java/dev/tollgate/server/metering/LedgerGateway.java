package dev.tollgate.server.metering;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.config.ConfigHolder;
import dev.tollgate.server.bootstrap.GatewayServer;
import dev.tollgate.server.config.ConfigLoader;
import dev.tollgate.server.testing.TestGateway;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * A real gateway whose data directory the test owns, so that a second one can start on the same ledger,
 * journal and alert records after the first closed (or died). Listeners on port 0 of loopback; OpenAI and
 * Anthropic both point at {@code upstreamUrl}; plans from {@code catalogue}; {@code extraYaml} is appended
 * to the config file as further top-level sections.
 */
final class LedgerGateway implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();

  private final GatewayServer server;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private LedgerGateway(GatewayServer server) {
    this.server = server;
  }

  static LedgerGateway start(Path dir, String upstreamUrl, Path catalogue, String extraYaml) throws Exception {
    Path config = writeConfig(dir, upstreamUrl, catalogue, 0, 0, extraYaml);
    Map<String, String> env = Map.of("TOLLGATE_ADMIN_TOKEN", TestGateway.ADMIN_TOKEN,
        "OPENAI_API_KEY", TestGateway.OPENAI_KEY, "ANTHROPIC_API_KEY", TestGateway.ANTHROPIC_KEY);
    return new LedgerGateway(GatewayServer.start(new ConfigHolder(new ConfigLoader(env::get).load(config))));
  }

  /** Writes {@code dir/gateway.yaml} (data in {@code dir/data}) and returns its path. */
  static Path writeConfig(Path dir, String upstreamUrl, Path catalogue, int port, int adminPort, String extraYaml)
      throws IOException {
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(config, "server:\n  host: 127.0.0.1\n  port: " + port + "\n  shutdownGraceMillis: 2000\n"
        + "admin:\n  host: 127.0.0.1\n  port: " + adminPort + "\n"
        + "store:\n  dataDir: " + dir.resolve("data") + "\n"
        + "plans:\n  catalogueFile: " + catalogue + "\n"
        + "pricing:\n  modelsFile: " + TestGateway.projectFile("config/models.yaml") + "\n"
        + "providers:\n"
        + "  openai:\n    baseUrl: " + upstreamUrl + "\n"
        + "  anthropic:\n    baseUrl: " + upstreamUrl + "\n"
        + (extraYaml == null ? "" : extraYaml));
    return config;
  }

  GatewayServer server() {
    return server;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.port();
  }

  String adminUrl() {
    return "http://127.0.0.1:" + server.adminPort();
  }

  /** Creates {@code tenantId} on {@code plan} and returns nothing; keys come from {@link #createKey}. */
  void createTenant(String tenantId, String plan) throws Exception {
    admin(adminUrl(), "POST", "/admin/tenants",
        "{\"id\":\"" + tenantId + "\",\"name\":\"" + tenantId + "\",\"plan\":\"" + plan + "\"}", 201);
  }

  /** A fresh API key of {@code tenantId}: {@code [keyId, secret]}. */
  String[] createKey(String tenantId) throws Exception {
    JsonNode key = admin(adminUrl(), "POST", "/admin/tenants/" + tenantId + "/keys", "{\"name\":\"load\"}", 201);
    return new String[] {key.get("id").asText(), key.get("key").asText()};
  }

  HttpResponse<String> adminRaw(String method, String path, String body, String accept) throws Exception {
    return adminRaw(http, adminUrl(), method, path, body, accept);
  }

  /** Today's usage of {@code tenantId} grouped by {@code groupBy}, from the ledger (JSON). */
  JsonNode usageToday(String tenantId, String groupBy) throws Exception {
    return usageToday(http, adminUrl(), tenantId, groupBy);
  }

  static JsonNode usageToday(HttpClient http, String adminUrl, String tenantId, String groupBy) throws Exception {
    String today = LocalDate.now(ZoneOffset.UTC).toString();
    HttpResponse<String> response = adminRaw(http, adminUrl, "GET", "/admin/tenants/" + tenantId
        + "/usage?from=" + today + "&to=" + today + "&groupBy=" + groupBy, null, null);
    if (response.statusCode() != 200) {
      throw new AssertionError("usage of " + tenantId + " -> " + response.statusCode() + " " + response.body());
    }
    return JSON.readTree(response.body()).get("data");
  }

  /** The ledger's request count of {@code tenantId} today (0 when it has no row). */
  static long requestsToday(HttpClient http, String adminUrl, String tenantId) throws Exception {
    JsonNode data = usageToday(http, adminUrl, tenantId, "");
    return data.isEmpty() ? 0 : data.get(0).get("requests").asLong();
  }

  JsonNode admin(String method, String path, String body, int expectedStatus) throws Exception {
    return admin(adminUrl(), method, path, body, expectedStatus);
  }

  private JsonNode admin(String adminUrl, String method, String path, String body, int expectedStatus)
      throws Exception {
    HttpResponse<String> response = adminRaw(http, adminUrl, method, path, body, null);
    if (response.statusCode() != expectedStatus) {
      throw new AssertionError(method + " " + path + " -> " + response.statusCode() + " " + response.body());
    }
    return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
  }

  static HttpResponse<String> adminRaw(HttpClient http, String adminUrl, String method, String path, String body,
      String accept) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(adminUrl + path))
        .header("Authorization", "Bearer " + TestGateway.ADMIN_TOKEN)
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (accept != null) {
      request.header("Accept", accept);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** An OpenAI-style call ({@code Authorization: Bearer}). */
  static HttpRequest openai(String baseUrl, String path, String key, String body) {
    return HttpRequest.newBuilder(URI.create(baseUrl + path))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  /** An Anthropic-style call to {@code /v1/messages} ({@code x-api-key}). */
  static HttpRequest anthropic(String baseUrl, String key, String body) {
    return HttpRequest.newBuilder(URI.create(baseUrl + "/v1/messages"))
        .header("x-api-key", key).header("anthropic-version", "2023-06-01")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  HttpClient http() {
    return http;
  }

  @Override
  public void close() {
    server.close();
  }
}
