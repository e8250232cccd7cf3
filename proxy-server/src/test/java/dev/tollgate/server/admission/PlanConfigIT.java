package dev.tollgate.server.admission;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.server.testing.TestGateway;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plan configuration at the edges: a malformed catalogue stops the gateway from starting with the file
 * and the key named; the admin API refuses unknown plans naming the catalogue; a plan change reaches
 * the very next request. Catalogue {@code plans/tiers.yaml}: chat completions need plan "premium".
 */
class PlanConfigIT {

  static WireMockServer upstream;
  static TestGateway gateway;
  static Traffic traffic;
  @TempDir
  Path dir;

  @BeforeAll
  static void start() throws Exception {
    upstream = new WireMockServer(options().dynamicPort());
    upstream.start();
    upstream.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json").withBody(Traffic.CHAT_OK)));
    gateway = TestGateway.start(overlay(Traffic.testResource("plans/tiers.yaml")));
    traffic = new Traffic(gateway);
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    upstream.stop();
  }

  @BeforeEach
  void forgetUpstreamRequests() {
    upstream.resetRequests();
  }

  @Test
  void startFailsNamingTheFileAndAnUnknownKey() throws Exception {
    Path catalogue = tiersWith("    includedUnits: 1000\n", "    includedUnits: 1000\n    colour: red\n");

    assertThatThrownBy(() -> TestGateway.start(overlay(catalogue)))
        .hasMessageStartingWith(catalogue.toString())
        .hasMessageContaining("plans[0].colour: unknown key");
  }

  @Test
  void startFailsNamingTheFileAndANegativeLimit() throws Exception {
    Path catalogue = tiersWith("    priceCents: 2900\n    includedUnits: 1000\n",
        "    priceCents: 2900\n    includedUnits: -5\n");

    assertThatThrownBy(() -> TestGateway.start(overlay(catalogue)))
        .hasMessageStartingWith(catalogue.toString())
        .hasMessageContaining("plans[1].includedUnits: -5 (expected: >= 0)");
  }

  @Test
  void startFailsNamingTheFileAndAnUnknownPlanName() throws Exception {
    Path catalogue = tiersWith("allowedFrom: premium", "allowedFrom: platinum");

    assertThatThrownBy(() -> TestGateway.start(overlay(catalogue)))
        .hasMessageStartingWith(catalogue.toString())
        .hasMessageContaining("routes[0].allowedFrom: 'platinum'");
  }

  @Test
  void creatingATenantOnAnUnknownPlanIsRefusedNamingTheCatalogue() throws Exception {
    HttpResponse<String> response = gateway.adminRaw("POST", "/admin/tenants",
        "{\"id\":\"lost\",\"name\":\"lost\",\"plan\":\"platinum\"}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(Traffic.errorMessage(response))
        .isEqualTo("plan: 'platinum' is not in catalogue 'tiers' (expected one of [basic, premium])");
    assertThat(gateway.adminRaw("GET", "/admin/tenants/lost", null).statusCode()).isEqualTo(404);
  }

  @Test
  void planChangeTakesEffectOnTheVeryNextRequest() throws Exception {
    gateway.createTenant("mover", "premium");
    String key = gateway.createKey("mover").get("key").asText();
    assertThat(traffic.chat(key).statusCode()).isEqualTo(200);

    gateway.admin("PATCH", "/admin/tenants/mover", "{\"plan\":\"basic\"}", 200);
    HttpResponse<String> downgraded = traffic.chat(key);
    gateway.admin("PATCH", "/admin/tenants/mover", "{\"plan\":\"premium\"}", 200);
    HttpResponse<String> upgraded = traffic.chat(key);

    assertThat(downgraded.statusCode()).isEqualTo(403);
    assertThat(Traffic.errorMessage(downgraded))
        .isEqualTo("Plan 'basic' does not include POST /v1/chat/completions; plan 'premium' does.");
    assertThat(upgraded.statusCode()).isEqualTo(200);
    upstream.verify(2, postRequestedFor(urlEqualTo("/v1/chat/completions")));
  }

  private static String overlay(Path catalogue) {
    return "providers:\n  openai:\n    baseUrl: " + upstream.baseUrl() + "\n"
        + "plans:\n  catalogueFile: " + catalogue + "\n";
  }

  /** A copy of plans/tiers.yaml with the first {@code from} replaced by {@code to}. */
  private Path tiersWith(String from, String to) throws Exception {
    String tiers = Files.readString(Traffic.testResource("plans/tiers.yaml"));
    assertThat(tiers).contains(from);
    Path file = dir.resolve("broken-tiers.yaml");
    Files.writeString(file, tiers.replaceFirst(java.util.regex.Pattern.quote(from),
        java.util.regex.Matcher.quoteReplacement(to)));
    return file;
  }
}
