package dev.tollgate.server.vault;

import static dev.tollgate.server.vault.VaultFixture.chatAndCapture;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.server.testing.TestGateway;
import dev.tollgate.server.vault.VaultFixture.TenantKeys;
import dev.tollgate.server.vault.VaultFixture.Upstreamed;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tenant "alpha" never reaches tenant "bravo"'s secrets: not with the admin API on alpha's paths holding
 * bravo's ids, not with alpha's data-plane key on any vault or audit route, not with spoofed headers, and
 * not with bravo's rows copied under alpha in SQL (the AAD binds tenant, project and name).
 */
class TenantIsolationIT {

  static WireMockServer upstream;
  static TestGateway gateway;
  static TenantKeys alpha;
  static TenantKeys bravo;
  static String bravoSecret;
  static String bravoProjectSecret;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    upstream = VaultFixture.upstream();
    gateway = TestGateway.start(VaultFixture.yaml(upstream.baseUrl(), "k1", VaultFixture.newKek()));
    alpha = VaultFixture.tenant(gateway, "alpha");
    bravo = VaultFixture.tenant(gateway, "bravo");
    gateway.admin("POST", "/admin/tenants/bravo/projects", "{\"id\":\"pb\"}", 201);
    bravoSecret = VaultFixture.secret("sk-bravo-");
    bravoProjectSecret = VaultFixture.secret("sk-bravo-pb-");
    VaultFixture.putSecret(gateway, "bravo", "openai", bravoSecret);
    gateway.admin("PUT", "/admin/tenants/bravo/secrets/openai",
        "{\"value\":\"" + bravoProjectSecret + "\",\"project\":\"pb\"}", 200);
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    upstream.stop();
  }

  /** Every vault and audit route, aimed at bravo. */
  static Stream<Arguments> bravoRoutes() {
    return Stream.of(
        Arguments.of("GET", "/admin/tenants/bravo/secrets", null),
        Arguments.of("PUT", "/admin/tenants/bravo/secrets/openai", "{\"value\":\"sk-attacker-0000000000\"}"),
        Arguments.of("DELETE", "/admin/tenants/bravo/secrets/openai", null),
        Arguments.of("DELETE", "/admin/tenants/bravo/secrets/openai?project=pb", null),
        Arguments.of("POST", "/admin/tenants/bravo/secrets/rotate-dek", null),
        Arguments.of("POST", "/admin/vault/rotate", null),
        Arguments.of("GET", "/admin/audit?tenant=bravo", null),
        Arguments.of("GET", "/admin/audit/verify", null),
        Arguments.of("GET", "/admin/tenants/bravo/keys", null));
  }

  @ParameterizedTest(name = "{0} {1} with alpha's API key is refused on the admin listener")
  @MethodSource("bravoRoutes")
  void alphasApiKeyIsNoAdminCredential(String method, String path, String body) throws Exception {
    HttpResponse<String> response = send(gateway.adminUrl() + path, method, body, alpha.defaultKey());

    assertThat(response.statusCode()).isEqualTo(401);
    assertNoBravoValue(response);
    assertBravoUntouched();
  }

  @ParameterizedTest(name = "{0} {1} with alpha's API key is unknown on the data plane")
  @MethodSource("bravoRoutes")
  void vaultRoutesDoNotExistOnTheDataPlane(String method, String path, String body) throws Exception {
    HttpResponse<String> response = send(gateway.baseUrl() + path, method, body, alpha.defaultKey());

    assertThat(response.statusCode()).isEqualTo(404);
    assertNoBravoValue(response);
    assertBravoUntouched();
  }

  /** Alpha's paths carrying bravo's ids (its project, its key) and what each must answer. */
  static Stream<Arguments> alphaPathsWithBravoIds() {
    return Stream.of(
        Arguments.of("GET", "/admin/tenants/alpha/secrets", null, 200),
        Arguments.of("DELETE", "/admin/tenants/alpha/secrets/openai", null, 404),
        Arguments.of("DELETE", "/admin/tenants/alpha/secrets/openai?project=pb", null, 404),
        Arguments.of("PUT", "/admin/tenants/alpha/secrets/openai",
            "{\"value\":\"sk-attacker-0000000000\",\"project\":\"pb\"}", 400),
        Arguments.of("DELETE", "/admin/tenants/alpha/keys/{bravoKeyId}", null, 404),
        Arguments.of("GET", "/admin/tenants/alpha/keys", null, 200),
        Arguments.of("GET", "/admin/audit?tenant=alpha", null, 200),
        Arguments.of("POST", "/admin/tenants/alpha/secrets/rotate-dek", null, 200));
  }

  @ParameterizedTest(name = "{0} {1} -> {3}, and bravo is untouched")
  @MethodSource("alphaPathsWithBravoIds")
  void alphasPathsNeverReachBravosRows(String method, String path, String body, int expected) throws Exception {
    HttpResponse<String> response = gateway.adminRaw(method, path.replace("{bravoKeyId}", bravo.defaultKeyId()), body);

    assertThat(response.statusCode()).isEqualTo(expected);
    assertNoBravoValue(response);
    JsonNode data = VaultFixture.JSON.readTree(response.body()).get("data");
    if (data != null) {
      for (JsonNode row : data) {
        assertThat(row.path("tenant").asText("alpha")).isEqualTo("alpha");
        assertThat(row.path("project").asText("")).isNotEqualTo("pb");
        assertThat(row.path("id").asText("")).isNotEqualTo(bravo.defaultKeyId());
      }
    }
    assertBravoUntouched();
  }

  @Test
  void alphasKeyNeverCarriesBravosSecretUpstreamWhateverHeadersItSends() throws Exception {
    for (String[] header : List.of(new String[] {"X-Tenant-Id", "bravo"}, new String[] {"X-Tollgate-Tenant", "bravo"},
        new String[] {"OpenAI-Project", "pb"}, new String[] {"OpenAI-Organization", "bravo"},
        new String[] {"X-Project-Id", "pb"})) {
      upstream.resetRequests();
      HttpResponse<String> response = http.send(
          HttpRequest.newBuilder(URI.create(gateway.baseUrl() + VaultFixture.CHAT))
              .header("Authorization", "Bearer " + alpha.defaultKey()).header(header[0], header[1])
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o\",\"messages\":[]}")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).as(header[0]).isEqualTo(200);
      assertThat(upstream.getAllServeEvents()).singleElement().satisfies(event ->
          assertThat(event.getRequest().getHeader("Authorization")).as(header[0])
              .isEqualTo("Bearer " + TestGateway.OPENAI_KEY));
    }
  }

  @Test
  void bravosRowsCopiedUnderAnotherTenantFailToDecryptAndNeverGoUpstream() throws Exception {
    TenantKeys charlie = VaultFixture.tenant(gateway, "charlie");
    try (Connection c = VaultFixture.sql(VaultFixture.database(gateway))) {
      // the DEK too, so only the AAD (tenant id) differs: the wrapped DEK itself binds nothing but the KEK
      copy(c, "INSERT INTO vault_deks SELECT 'charlie', dek_version, kek_id, wrapped, created_at, encryptions"
          + " FROM vault_deks WHERE tenant_id = 'bravo'");
      copy(c, "INSERT INTO vault_secrets SELECT 'charlie', project_id, name, record, created_at, rotated_at"
          + " FROM vault_secrets WHERE tenant_id = 'bravo' AND project_id = ''");
    }

    Upstreamed call = chatAndCapture(http, gateway, upstream, charlie.defaultKey());

    assertThat(call.status()).isEqualTo(500);
    assertThat(call.upstreamAuthorization()).isNull();
    assertThat(call.body()).doesNotContain(bravoSecret);
    HttpResponse<String> listing = gateway.adminRaw("GET", "/admin/tenants/charlie/secrets", null);
    assertThat(listing.statusCode()).isEqualTo(200); // metadata only: the suffix it cannot read stays empty
    assertThat(listing.body()).doesNotContain(bravoSecret);
    assertThat(VaultFixture.JSON.readTree(listing.body()).get("data").get(0).get("suffix").asText()).isEmpty();
    assertBravoUntouched();
  }

  private static void copy(Connection c, String sql) throws Exception {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      assertThat(ps.executeUpdate()).isPositive();
    }
  }

  private HttpResponse<String> send(String url, String method, String body, String bearer) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url))
            .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/json")
            .method(method, body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void assertNoBravoValue(HttpResponse<String> response) {
    String everything = response.body() + response.headers().map();
    assertThat(everything).doesNotContain(bravoSecret).doesNotContain(bravoProjectSecret);
  }

  /** Bravo's secrets, DEK and key are as set up: its calls still carry its own secrets upstream. */
  private void assertBravoUntouched() throws Exception {
    assertThat(chatAndCapture(http, gateway, upstream, bravo.defaultKey()).upstreamAuthorization())
        .isEqualTo("Bearer " + bravoSecret);
    try (Connection c = VaultFixture.sql(VaultFixture.database(gateway));
        PreparedStatement ps = c.prepareStatement(
            "SELECT COUNT(*), MAX(dek_version) FROM vault_deks WHERE tenant_id = 'bravo'");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
      assertThat(rs.getInt(2)).isEqualTo(1);
    }
    assertThat(gateway.admin("GET", "/admin/tenants/bravo/secrets", null, 200).get("data")).hasSize(2);
  }
}
