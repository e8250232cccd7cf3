package dev.tollgate.server.bootstrap;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.core.config.ConfigHolder;
import dev.tollgate.core.plan.Plan;
import dev.tollgate.core.plan.PlanCatalogue;
import dev.tollgate.server.config.ConfigLoader;
import dev.tollgate.server.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Reloading the plan catalogue through {@link ConfigWatcher}: a catalogue that drops a plan some tenant
 * is on is refused naming the tenant, and the running catalogue keeps serving; a valid change applies.
 */
class CatalogueReloadIT {

  private static final Map<String, String> ENV = Map.of("TOLLGATE_ADMIN_TOKEN", TestGateway.ADMIN_TOKEN,
      "OPENAI_API_KEY", TestGateway.OPENAI_KEY, "ANTHROPIC_API_KEY", TestGateway.ANTHROPIC_KEY);
  private static final String PLANS = "catalogue: reloadable\nunit: requests\ncurrency: EUR\n"
      + "defaultRouteWeight: 1\nroutes: []\n"
      + "defaults: {hardCap: true, maxProjects: unlimited, metricsRetentionDays: 7, alertThresholdsPercent: [80],"
      + " features: {}, requestsPerSecond: 1000, burst: 1000, requestsPerSecondPerKey: 1000,"
      + " maxConcurrentRequests: 100, maxConcurrentStreams: 100, monthlyTokenBudget: unlimited,"
      + " monthlyCostBudgetUsd: unlimited, allowedModels: [\"*/**\"], maxSubjects: unlimited,"
      + " subjectHeader: X-Tollgate-Subject, subjectCooldownSeconds: 0}\n"
      + "plans:\n";
  private static final String BASIC = "  - {name: basic, priceCents: 0, includedUnits: 100}\n";
  private static final String PREMIUM = "  - {name: premium, priceCents: 2900, includedUnits: 1000}\n";

  @TempDir
  Path dir;
  WireMockServer upstream;
  Path catalogueFile;
  GatewayServer server;
  ConfigWatcher watcher;
  ListAppender<ILoggingEvent> log = new ListAppender<>();
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    upstream = new WireMockServer(options().dynamicPort());
    upstream.start();
    upstream.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json")
        .withBody("{\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}")));
    catalogueFile = dir.resolve("plans.yaml");
    Files.writeString(catalogueFile, PLANS + BASIC + PREMIUM);
    Path configFile = dir.resolve("gateway.yaml");
    Files.writeString(configFile, "server:\n  host: 127.0.0.1\n  port: 0\n  shutdownGraceMillis: 2000\n"
        + "admin:\n  host: 127.0.0.1\n  port: 0\n"
        + "store:\n  dataDir: " + dir.resolve("data") + "\n"
        + "plans:\n  catalogueFile: " + catalogueFile + "\n"
        + "pricing:\n  modelsFile: " + TestGateway.projectFile("config/models.yaml") + "\n"
        + "providers:\n  openai:\n    baseUrl: " + upstream.baseUrl() + "\n");
    ConfigLoader loader = new ConfigLoader(ENV::get);
    ConfigHolder holder = new ConfigHolder(loader.load(configFile));
    server = GatewayServer.start(holder);
    watcher = new ConfigWatcher(configFile, loader, holder, server);
    log.start();
    ((Logger) LoggerFactory.getLogger(ConfigWatcher.class)).addAppender(log);
  }

  @AfterEach
  void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger(ConfigWatcher.class)).detachAppender(log);
    if (watcher != null) {
      watcher.close();
    }
    if (server != null) {
      server.close();
    }
    upstream.stop();
  }

  @Test
  void reloadDroppingAPlanATenantIsOnIsRefusedNamingTheTenant() throws Exception {
    String key = tenantWithKey("loyal", "premium");
    PlanCatalogue before = server.plans().current();

    Files.writeString(catalogueFile, PLANS + BASIC);
    boolean applied = watcher.reload(); // the file watch may refuse it first; both leave the same trace

    assertThat(applied).isFalse();
    assertThat(server.plans().current()).isSameAs(before);
    assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
        .anyMatch(m -> m.contains("config reload refused")
            && m.contains("tenant 'loyal' is on plan 'premium', which catalogue 'reloadable' does not define"));
    assertThat(chat(key).statusCode()).as("the tenant keeps being served").isEqualTo(200);
  }

  @Test
  void reloadKeepingEveryTenantsPlanApplies() throws Exception {
    String key = tenantWithKey("grower", "premium");

    Files.writeString(catalogueFile, PLANS + BASIC + PREMIUM.replace("1000", "2000"));
    watcher.reload(); // returns false if the file watch applied it first

    assertThat(server.plans().current().plan("premium").map(Plan::includedUnits)).hasValue(2000L);
    assertThat(chat(key).statusCode()).isEqualTo(200);
    HttpResponse<String> standing = admin("GET", "/admin/tenants/grower/standing", null);
    assertThat(new ObjectMapper().readTree(standing.body()).get("included").asLong()).isEqualTo(2000);
  }

  private String tenantWithKey(String id, String plan) throws Exception {
    HttpResponse<String> tenant = admin("POST", "/admin/tenants",
        "{\"id\":\"" + id + "\",\"name\":\"" + id + "\",\"plan\":\"" + plan + "\"}");
    assertThat(tenant.statusCode()).as(tenant.body()).isEqualTo(201);
    HttpResponse<String> key = admin("POST", "/admin/tenants/" + id + "/keys", "{}");
    assertThat(key.statusCode()).as(key.body()).isEqualTo(201);
    return new ObjectMapper().readTree(key.body()).get("key").asText();
  }

  private HttpResponse<String> admin(String method, String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort() + path))
        .header("Authorization", "Bearer " + TestGateway.ADMIN_TOKEN)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> chat(String key) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o\",\"messages\":[]}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
