package dev.tollgate.server.jwt;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.tollgate.server.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tenants authenticate with their own JWTs: the gateway finds the tenant by the token's issuer,
 * verifies it against the tenant's JWKS (served by one WireMock), and relays to the provider (another
 * WireMock) with the provider key. Every forged or unacceptable token gets the same 401 in the route's
 * dialect and the provider sees nothing.
 */
class JwtAuthIT {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String ISSUER = "https://idp.acme.test/";
  static final String ROTATING_ISSUER = "https://idp.rotor.test/";
  static final String AUDIENCE = "tollgate";

  static WireMockServer idp;
  static WireMockServer upstream;
  static TestGateway gateway;
  static RSAKey key1;
  static RSAKey key2;
  static RSAKey strangerKey;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    key1 = new RSAKeyGenerator(2048).keyID("key-1").generate();
    key2 = new RSAKeyGenerator(2048).keyID("key-2").generate();
    strangerKey = new RSAKeyGenerator(2048).keyID("key-unknown").generate();
    idp = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    idp.start();
    serveJwks("/acme/jwks.json", key1);
    serveJwks("/rotor/jwks.json", key1);
    upstream = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    upstream.start();
    gateway = TestGateway.start("providers:\n  openai:\n    baseUrl: " + upstream.baseUrl()
        + "\n  anthropic:\n    baseUrl: " + upstream.baseUrl() + "\n");
    gateway.createTenant("acme", "free");
    gateway.admin("PUT", "/admin/tenants/acme/jwt", jwtSettings(ISSUER, "/acme/jwks.json", 30), 200);
    gateway.createTenant("rotor", "free");
    gateway.admin("PUT", "/admin/tenants/rotor/jwt", jwtSettings(ROTATING_ISSUER, "/rotor/jwks.json", 1), 200);
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    upstream.stop();
    idp.stop();
  }

  @BeforeEach
  void stubProvider() {
    upstream.resetAll();
    upstream.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json")
        .withBody("{\"id\":\"c\",\"model\":\"gpt-4o\",\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}")));
    upstream.stubFor(post("/v1/messages").willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json")
        .withBody("{\"id\":\"m\",\"type\":\"message\",\"model\":\"claude-3-5-haiku\",\"content\":[],"
            + "\"usage\":{\"input_tokens\":5,\"output_tokens\":2}}")));
  }

  @Test
  void admitsAValidRs256TokenAndRelaysWithTheProviderKeyNeverTheToken() throws Exception {
    String token = sign(key1, claims(ISSUER).build());

    HttpResponse<String> response = openAi(token);

    assertThat(response.statusCode()).isEqualTo(200);
    upstream.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions"))
        .withHeader("Authorization", equalTo("Bearer " + TestGateway.OPENAI_KEY)));
    for (LoggedRequest seen : upstream.findAll(anyRequestedFor(anyUrl()))) {
      assertThat(seen.getHeaders().all().toString()).doesNotContain(token);
      assertThat(seen.getBodyAsString()).doesNotContain(token);
    }
  }

  @Test
  void admitsAValidTokenOnTheAnthropicRouteThroughXApiKey() throws Exception {
    HttpResponse<String> response = anthropic(sign(key1, claims(ISSUER).build()));

    assertThat(response.statusCode()).isEqualTo(200);
    upstream.verify(1, postRequestedFor(urlEqualTo("/v1/messages"))
        .withHeader("x-api-key", equalTo(TestGateway.ANTHROPIC_KEY)));
  }

  static Stream<Arguments> unacceptableTokens() throws Exception {
    Instant now = Instant.now();
    String valid = sign(key1, claims(ISSUER).build());
    String[] parts = valid.split("\\.");
    char first = parts[2].charAt(0);
    String tampered = parts[0] + "." + parts[1] + "." + (first == 'A' ? 'B' : 'A') + parts[2].substring(1);
    byte[] publicKeyAsSecret = key1.toRSAPublicKey().getEncoded();
    return Stream.of(
        Arguments.of("alg none", new PlainJWT(claims(ISSUER).build()).serialize()),
        Arguments.of("HS256 with the RSA public key as secret",
            sign(new MACSigner(publicKeyAsSecret), JWSAlgorithm.HS256, "key-1", claims(ISSUER).build())),
        Arguments.of("expired", sign(key1, claims(ISSUER)
            .issueTime(Date.from(now.minusSeconds(1200)))
            .expirationTime(Date.from(now.minusSeconds(600))).build())),
        Arguments.of("wrong audience", sign(key1, claims(ISSUER).audience("someone-else").build())),
        Arguments.of("unknown kid", sign(strangerKey, claims(ISSUER).build())),
        Arguments.of("issuer no tenant has", sign(key1, claims("https://nobody.test/").build())),
        Arguments.of("tampered signature", tampered));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unacceptableTokens")
  void rejectsTheTokenWith401InTheRoutesDialectAndTheProviderSeesNothing(String why, String token)
      throws Exception {
    HttpResponse<String> openAi = openAi(token);
    HttpResponse<String> anthropic = anthropic(token);

    assertThat(openAi.statusCode()).isEqualTo(401);
    JsonNode openAiError = JSON.readTree(openAi.body()).get("error");
    assertThat(openAiError.get("code").asText()).isEqualTo("invalid_api_key");
    assertThat(openAiError.get("type").asText()).isEqualTo("invalid_request_error");
    assertThat(anthropic.statusCode()).isEqualTo(401);
    JsonNode anthropicBody = JSON.readTree(anthropic.body());
    assertThat(anthropicBody.get("type").asText()).isEqualTo("error");
    assertThat(anthropicBody.get("error").get("type").asText()).isEqualTo("authentication_error");
    assertThat(openAi.body() + anthropic.body()).doesNotContain(token);
    upstream.verify(0, anyRequestedFor(anyUrl()));
  }

  @Test
  void admitsATokenSignedWithTheNewKeyAfterTheJwksRotates() throws Exception {
    assertThat(openAi(sign(key1, claims(ROTATING_ISSUER).build())).statusCode()).isEqualTo(200);

    serveJwks("/rotor/jwks.json", key2);
    String rotated = sign(key2, claims(ROTATING_ISSUER).build());

    // an unknown kid makes the verifier refetch the JWKS, at most once a second for this tenant:
    // a refetch refused by that limit answers 401, so ask until the gateway has refetched
    int status = 0;
    for (int attempt = 0; attempt < 50 && status != 200; attempt++) {
      status = openAi(rotated).statusCode();
      if (status != 200) {
        Thread.sleep(200);
      }
    }
    assertThat(status).isEqualTo(200);
    assertThat(idp.findAll(getRequestedFor(urlEqualTo("/rotor/jwks.json")))).hasSizeGreaterThanOrEqualTo(2);
    upstream.verify(2, postRequestedFor(urlEqualTo("/v1/chat/completions")));
  }

  @Test
  void stopsAdmittingATenantsTokensAsSoonAsItsSettingsAreDeleted() throws Exception {
    gateway.createTenant("leaving", "free");
    gateway.admin("PUT", "/admin/tenants/leaving/jwt", jwtSettings("https://idp.leaving.test/", "/acme/jwks.json", 30), 200);
    String token = sign(key1, claims("https://idp.leaving.test/").build());
    assertThat(openAi(token).statusCode()).isEqualTo(200);

    gateway.admin("DELETE", "/admin/tenants/leaving/jwt", null, 200);

    assertThat(openAi(token).statusCode()).isEqualTo(401);
    upstream.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions")));
  }

  private HttpResponse<String> openAi(String token) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
            .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o\",\"messages\":[]}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> anthropic(String token) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/messages"))
            .header("x-api-key", token).header("anthropic-version", "2023-06-01")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(
                "{\"model\":\"claude-3-5-haiku\",\"max_tokens\":16,\"messages\":[]}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String jwtSettings(String issuer, String jwksPath, int refetchMinIntervalSeconds) throws Exception {
    return JSON.writeValueAsString(Map.of(
        "issuer", issuer,
        "audiences", List.of(AUDIENCE),
        "jwksUrl", idp.baseUrl() + jwksPath,
        "algorithms", List.of("RS256"),
        "clockSkewSeconds", 30,
        "projectClaim", "project",
        "subjectClaim", "sub",
        "jwksRefetchMinIntervalSeconds", refetchMinIntervalSeconds));
  }

  static void serveJwks(String path, RSAKey key) {
    idp.stubFor(get(urlEqualTo(path)).willReturn(aResponse()
        .withHeader("Content-Type", "application/json")
        .withBody(new JWKSet(key.toPublicJWK()).toString())));
  }

  static JWTClaimsSet.Builder claims(String issuer) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder().issuer(issuer).audience(AUDIENCE).subject("user-42")
        .jwtID("jti-" + now.toEpochMilli()).issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(600)));
  }

  static String sign(RSAKey key, JWTClaimsSet claims) throws Exception {
    return sign(new RSASSASigner(key), JWSAlgorithm.RS256, key.getKeyID(), claims);
  }

  static String sign(JWSSigner signer, JWSAlgorithm algorithm, String keyId, JWTClaimsSet claims)
      throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(keyId).type(JOSEObjectType.JWT).build(),
        claims);
    jwt.sign(signer);
    return jwt.serialize();
  }
}
