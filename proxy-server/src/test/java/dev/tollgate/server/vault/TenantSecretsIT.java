package dev.tollgate.server.vault;

import static dev.tollgate.server.vault.VaultFixture.chatAndCapture;
import static dev.tollgate.server.vault.VaultFixture.putSecret;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.server.testing.TestGateway;
import dev.tollgate.server.vault.VaultFixture.TenantKeys;
import dev.tollgate.server.vault.VaultFixture.Upstreamed;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tenants' own provider keys end to end: stored through the admin API, sent upstream in place of the
 * operator's key, project scope over tenant scope, deletion falling back, and listings without values.
 */
class TenantSecretsIT {

  static WireMockServer upstream;
  static TestGateway gateway;
  static TestGateway noOperatorKey;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    upstream = VaultFixture.upstream();
    String kek = VaultFixture.newKek();
    gateway = TestGateway.start(VaultFixture.yaml(upstream.baseUrl(), "k1", kek));
    noOperatorKey = TestGateway.start(VaultFixture.yaml(upstream.baseUrl(), "k1", kek),
        java.util.Map.of("OPENAI_API_KEY", ""));
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    noOperatorKey.close();
    upstream.stop();
  }

  @Test
  void aTenantSecretReplacesTheOperatorKeyOnlyForThatTenant() throws Exception {
    TenantKeys owner = VaultFixture.tenant(gateway, "owner");
    TenantKeys other = VaultFixture.tenant(gateway, "other");
    String value = VaultFixture.secret("sk-tenant-");

    putSecret(gateway, "owner", "openai", value);

    Upstreamed ownCall = chatAndCapture(http, gateway, upstream, owner.defaultKey());
    assertThat(ownCall.status()).isEqualTo(200);
    assertThat(ownCall.upstreamAuthorization()).isEqualTo("Bearer " + value);
    Upstreamed otherCall = chatAndCapture(http, gateway, upstream, other.defaultKey());
    assertThat(otherCall.status()).isEqualTo(200);
    assertThat(otherCall.upstreamAuthorization()).isEqualTo("Bearer " + TestGateway.OPENAI_KEY);
  }

  @Test
  void aProjectSecretWinsForKeysOfThatProjectAndDeletionFallsBackStepByStep() throws Exception {
    TenantKeys t = VaultFixture.tenant(gateway, "scoped");
    String tenantWide = VaultFixture.secret("sk-tenant-");
    String projectOnly = VaultFixture.secret("sk-project-");
    putSecret(gateway, "scoped", "openai", tenantWide);
    gateway.admin("PUT", "/admin/tenants/scoped/secrets/openai",
        "{\"value\":\"" + projectOnly + "\",\"project\":\"p1\"}", 200);

    assertThat(chatAndCapture(http, gateway, upstream, t.p1Key()).upstreamAuthorization())
        .isEqualTo("Bearer " + projectOnly);
    assertThat(chatAndCapture(http, gateway, upstream, t.defaultKey()).upstreamAuthorization())
        .isEqualTo("Bearer " + tenantWide);

    gateway.admin("DELETE", "/admin/tenants/scoped/secrets/openai?project=p1", null, 200);
    assertThat(chatAndCapture(http, gateway, upstream, t.p1Key()).upstreamAuthorization())
        .isEqualTo("Bearer " + tenantWide);

    gateway.admin("DELETE", "/admin/tenants/scoped/secrets/openai", null, 200);
    assertThat(chatAndCapture(http, gateway, upstream, t.p1Key()).upstreamAuthorization())
        .isEqualTo("Bearer " + TestGateway.OPENAI_KEY);
    assertThat(chatAndCapture(http, gateway, upstream, t.defaultKey()).upstreamAuthorization())
        .isEqualTo("Bearer " + TestGateway.OPENAI_KEY);
    gateway.admin("DELETE", "/admin/tenants/scoped/secrets/openai", null, 404);
  }

  @Test
  void withoutOperatorDefaultOrSecretTheRequestIsRefusedNamingTheProvider() throws Exception {
    TenantKeys t = VaultFixture.tenant(noOperatorKey, "bare");

    Upstreamed refused = chatAndCapture(http, noOperatorKey, upstream, t.defaultKey());

    assertThat(refused.status()).isEqualTo(403);
    JsonNode error = VaultFixture.JSON.readTree(refused.body()).get("error");
    assertThat(error.get("code").asText()).isEqualTo("provider_key_missing");
    assertThat(error.get("message").asText()).contains("'openai'");
    assertThat(refused.upstreamAuthorization()).isNull();

    String value = VaultFixture.secret("sk-tenant-");
    putSecret(noOperatorKey, "bare", "openai", value);
    Upstreamed served = chatAndCapture(http, noOperatorKey, upstream, t.defaultKey());
    assertThat(served.status()).isEqualTo(200);
    assertThat(served.upstreamAuthorization()).isEqualTo("Bearer " + value);
  }

  @Test
  void listingShowsNameScopeKekAndAShortSuffixButNeverTheValue() throws Exception {
    VaultFixture.tenant(gateway, "lister");
    String longValue = VaultFixture.secret("sk-tenant-");
    String shortValue = "sk-short9";
    putSecret(gateway, "lister", "openai", longValue);
    gateway.admin("PUT", "/admin/tenants/lister/secrets/anthropic",
        "{\"value\":\"" + shortValue + "\",\"project\":\"p1\"}", 200);

    HttpResponse<String> raw = gateway.adminRaw("GET", "/admin/tenants/lister/secrets", null);

    assertThat(raw.statusCode()).isEqualTo(200);
    assertThat(raw.body()).doesNotContain(longValue).doesNotContain(shortValue)
        .doesNotContain(longValue.substring(0, longValue.length() - 4));
    JsonNode data = VaultFixture.JSON.readTree(raw.body()).get("data");
    assertThat(data).hasSize(2);
    JsonNode tenantWide = data.get(0);
    assertThat(tenantWide.get("name").asText()).isEqualTo("openai");
    assertThat(tenantWide.get("scope").asText()).isEqualTo("tenant");
    assertThat(tenantWide.get("project").isNull()).isTrue();
    assertThat(tenantWide.get("kekId").asText()).isEqualTo("k1");
    assertThat(tenantWide.get("suffix").asText()).isEqualTo(longValue.substring(longValue.length() - 4));
    JsonNode projectScoped = data.get(1);
    assertThat(projectScoped.get("name").asText()).isEqualTo("anthropic");
    assertThat(projectScoped.get("scope").asText()).isEqualTo("project");
    assertThat(projectScoped.get("project").asText()).isEqualTo("p1");
    assertThat(projectScoped.get("suffix").asText()).isEmpty();
    assertThat(data.toString()).doesNotContain("\"value\"");
  }
}
