package dev.tollgate.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.config.ConfigHolder;
import dev.tollgate.server.bootstrap.GatewayServer;
import dev.tollgate.server.config.ConfigLoader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real gateway for integration tests: both listeners on port 0 of loopback, a fresh embedded store
 * in a temp directory, the built-in defaults with the given YAML laid over them, and an admin client.
 * Unless the overlay names another catalogue, plans come from the generous test catalogue
 * ({@code plans/test-catalogue.yaml}: plans "free" and "test" with limits no relay test reaches); tests
 * about plans set {@code plans.catalogueFile} to {@link #projectFile} of {@code config/plans/...}.
 *
 * <pre>
 * try (TestGateway gw = TestGateway.start("providers:\n  openai:\n    baseUrl: " + wiremockUrl + "\n")) {
 *   String key = gw.createTenantWithKey("acme");
 *   ... gw.baseUrl() + "/v1/chat/completions" with "Authorization: Bearer " + key
 * }
 * </pre>
 */
public final class TestGateway implements AutoCloseable {

  public static final String ADMIN_TOKEN = "test-admin-token";
  public static final String OPENAI_KEY = "sk-upstream-openai-secret";
  public static final String ANTHROPIC_KEY = "sk-ant-upstream-secret";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final GatewayServer server;
  private final Path dir;
  private final Path configFile;
  private final HttpClient http = HttpClient.newHttpClient();

  private TestGateway(GatewayServer server, Path dir, Path configFile) {
    this.server = server;
    this.dir = dir;
    this.configFile = configFile;
  }

  /** Starts a gateway with {@code yamlOverlay} laid over the defaults (ports and data dir are set here). */
  public static TestGateway start(String yamlOverlay) throws Exception {
    return start(yamlOverlay, Map.of());
  }

  public static TestGateway start(String yamlOverlay, Map<String, String> extraEnv) throws Exception {
    Path dir = Files.createTempDirectory("tollgate-test");
    Path config = dir.resolve("gateway.yaml");
    String base = "server:\n  host: 127.0.0.1\n  port: 0\n  shutdownGraceMillis: 2000\n"
        + "admin:\n  host: 127.0.0.1\n  port: 0\n"
        + "store:\n  dataDir: " + dir.resolve("data") + "\n"
        + "plans:\n  catalogueFile: " + testCatalogue() + "\n"
        + "pricing:\n  modelsFile: " + projectFile("config/models.yaml") + "\n";
    Files.writeString(config, merge(base, yamlOverlay));
    Map<String, String> env = new HashMap<>();
    env.put("TOLLGATE_ADMIN_TOKEN", ADMIN_TOKEN);
    env.put("OPENAI_API_KEY", OPENAI_KEY);
    env.put("ANTHROPIC_API_KEY", ANTHROPIC_KEY);
    env.putAll(extraEnv);
    ConfigHolder holder = new ConfigHolder(new ConfigLoader(env::get).load(config));
    return new TestGateway(GatewayServer.start(holder), dir, config);
  }

  /** A file of the repository (config/...), found from the module directory Maven runs tests in. */
  public static Path projectFile(String relative) {
    return dev.tollgate.core.pipeline.TestServices.projectFile(relative);
  }

  /** The generous test catalogue (plans "free" and "test"): relay tests never meet a limit. */
  public static Path testCatalogue() {
    try {
      return Path.of(TestGateway.class.getResource("/plans/test-catalogue.yaml").toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Deep-merges YAML {@code overlay} over {@code base}: the test's ports and data dir survive unless overridden. */
  private static String merge(String base, String overlay) throws IOException {
    ObjectMapper yaml = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    com.fasterxml.jackson.databind.node.ObjectNode tree =
        (com.fasterxml.jackson.databind.node.ObjectNode) yaml.readTree(base);
    if (overlay != null && !overlay.isBlank()) {
      JsonNode extra = yaml.readTree(overlay);
      if (extra instanceof com.fasterxml.jackson.databind.node.ObjectNode object) {
        deepMerge(tree, object);
      }
    }
    return yaml.writeValueAsString(tree);
  }

  private static void deepMerge(com.fasterxml.jackson.databind.node.ObjectNode base,
      com.fasterxml.jackson.databind.node.ObjectNode overlay) {
    overlay.fields().forEachRemaining(field -> {
      JsonNode existing = base.get(field.getKey());
      if (existing instanceof com.fasterxml.jackson.databind.node.ObjectNode b
          && field.getValue() instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
        deepMerge(b, o);
      } else {
        base.set(field.getKey(), field.getValue());
      }
    });
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.port();
  }

  public String adminUrl() {
    return "http://127.0.0.1:" + server.adminPort();
  }

  public GatewayServer server() {
    return server;
  }

  public Path configFile() {
    return configFile;
  }

  /** Creates a tenant (with its default project) on the given plan. */
  public JsonNode createTenant(String id, String plan) throws IOException, InterruptedException {
    return admin("POST", "/admin/tenants", "{\"id\":\"" + id + "\",\"name\":\"" + id + "\",\"plan\":\"" + plan + "\"}", 201);
  }

  /** Creates tenant {@code id} on plan {@code free} and returns a fresh API key for it. */
  public String createTenantWithKey(String id) throws IOException, InterruptedException {
    createTenant(id, "free");
    return createKey(id).get("key").asText();
  }

  public JsonNode createKey(String tenantId) throws IOException, InterruptedException {
    return admin("POST", "/admin/tenants/" + tenantId + "/keys", "{\"name\":\"test\"}", 201);
  }

  /** Calls the admin API with the admin token and checks the status. */
  public JsonNode admin(String method, String path, String body, int expectedStatus)
      throws IOException, InterruptedException {
    HttpResponse<String> response = adminRaw(method, path, body);
    if (response.statusCode() != expectedStatus) {
      throw new AssertionError(method + " " + path + " -> " + response.statusCode() + " " + response.body());
    }
    return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
  }

  public HttpResponse<String> adminRaw(String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(adminUrl() + path))
        .header("Authorization", "Bearer " + ADMIN_TOKEN)
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() throws IOException {
    server.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
