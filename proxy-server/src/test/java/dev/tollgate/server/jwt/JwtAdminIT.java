package dev.tollgate.server.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.tollgate.server.testing.TestGateway;
import java.net.http.HttpResponse;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The admin routes for a tenant's JWT settings: validation naming the field, uniqueness, no key echo. */
class JwtAdminIT {

  static final ObjectMapper JSON = new ObjectMapper();
  static TestGateway gateway;
  static String pem;

  @BeforeAll
  static void start() throws Exception {
    RSAKey key = new RSAKeyGenerator(2048).generate();
    pem = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(key.toRSAPublicKey().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    gateway = TestGateway.start("");
    gateway.createTenant("acme", "free");
    gateway.createTenant("globex", "free");
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
  }

  @Test
  void storesShowsAndDeletesTheSettingsWithoutEchoingTheKey() throws Exception {
    JsonNode put = gateway.admin("PUT", "/admin/tenants/acme/jwt", valid("https://idp.acme.test/").toString(), 200);
    assertThat(put.get("issuer").asText()).isEqualTo("https://idp.acme.test/");

    HttpResponse<String> shown = gateway.adminRaw("GET", "/admin/tenants/acme/jwt", null);
    assertThat(shown.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(shown.body());
    assertThat(body.get("algorithms").get(0).asText()).isEqualTo("RS256");
    assertThat(body.get("projectClaim").asText()).isEqualTo("project");
    assertThat(body.get("publicKey").asText()).isEqualTo("(set)");
    assertThat(shown.body()).doesNotContain(pem.lines().skip(1).findFirst().orElseThrow());

    gateway.admin("DELETE", "/admin/tenants/acme/jwt", null, 200);
    gateway.admin("GET", "/admin/tenants/acme/jwt", null, 404);
    gateway.admin("DELETE", "/admin/tenants/acme/jwt", null, 404);
  }

  @Test
  void refusesAnIssuerThatAnotherTenantUses() throws Exception {
    gateway.admin("PUT", "/admin/tenants/globex/jwt", valid("https://idp.shared.test/").toString(), 200);
    JsonNode conflict = gateway.admin("PUT", "/admin/tenants/acme/jwt", valid("https://idp.shared.test/").toString(), 409);
    assertThat(conflict.get("error").get("message").asText()).startsWith("issuer:");
    // the owner may still change its own settings under the same issuer
    gateway.admin("PUT", "/admin/tenants/globex/jwt", valid("https://idp.shared.test/").put("clockSkewSeconds", 5).toString(), 200);
  }

  @Test
  void answers404ForAnUnknownTenant() throws Exception {
    gateway.admin("PUT", "/admin/tenants/nobody/jwt", valid("https://idp.nobody.test/").toString(), 404);
    gateway.admin("GET", "/admin/tenants/nobody/jwt", null, 404);
    gateway.admin("DELETE", "/admin/tenants/nobody/jwt", null, 404);
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(delimiter = '|', value = {
      "algorithms | [\"none\"] | algorithms",
      "algorithms | [\"HS256\",\"RS256\"] | algorithms",
      "algorithms | [] | algorithms",
      "algorithms | [\"XY999\"] | algorithms",
      "audiences | [] | audiences",
      "issuer | null | issuer",
      "issuer | 42 | issuer",
      "clockSkewSeconds | 3600 | clockSkewSeconds",
      "clockSkewSeconds | \"sixty\" | clockSkewSeconds",
      "jwksUrl | \"ftp://idp.test/jwks\" | jwksUrl",
      "publicKey | \"not a key\" | publicKey",
      "publicKey | null | jwksUrl/publicKey",
      "subjectClaim | \"\" | subjectClaim",
      "colour | \"blue\" | colour",
  })
  void rejectsAnInvalidFieldWith400NamingIt(String field, String json, String named) throws Exception {
    ObjectNode body = valid("https://idp.invalid.test/");
    body.set(field, JSON.readTree(json));
    if (field.equals("jwksUrl")) {
      body.remove("publicKey");
    }
    JsonNode error = gateway.admin("PUT", "/admin/tenants/acme/jwt", body.toString(), 400);
    assertThat(error.get("error").get("message").asText()).startsWith(named + ":");
  }

  @Test
  void rejectsBothAJwksUrlAndAPublicKey() throws Exception {
    ObjectNode body = valid("https://idp.both.test/").put("jwksUrl", "https://idp.both.test/jwks.json");
    JsonNode error = gateway.admin("PUT", "/admin/tenants/acme/jwt", body.toString(), 400);
    assertThat(error.get("error").get("message").asText()).startsWith("jwksUrl/publicKey:");
  }

  @Test
  void rejectsHmacWithAPemPublicKey() throws Exception {
    ObjectNode body = valid("https://idp.hmac.test/");
    body.putArray("algorithms").add("HS256");
    JsonNode error = gateway.admin("PUT", "/admin/tenants/acme/jwt", body.toString(), 400);
    assertThat(error.get("error").get("message").asText()).startsWith("publicKey:").doesNotContain("BEGIN");
  }

  private static ObjectNode valid(String issuer) {
    ObjectNode body = JSON.createObjectNode();
    body.put("issuer", issuer);
    body.putArray("audiences").add("tollgate");
    body.put("publicKey", pem);
    body.putArray("algorithms").add("RS256");
    body.put("clockSkewSeconds", 30);
    body.put("projectClaim", "project");
    body.put("subjectClaim", "sub");
    return body;
  }
}
