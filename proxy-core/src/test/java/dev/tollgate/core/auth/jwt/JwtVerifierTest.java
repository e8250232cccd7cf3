package dev.tollgate.core.auth.jwt;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JwtVerifierTest {

  static final Instant NOW = Instant.parse("2026-01-15T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final String ISSUER = "https://idp.acme.example/";
  static final String AUDIENCE = "tollgate";
  static final int SKEW_SECONDS = 60;

  static RSAKey key1;
  static RSAKey key2;
  static RSAKey attackerKey;
  static ECKey ecKey;
  static WireMockServer idp;

  @BeforeAll
  static void startIdp() throws Exception {
    key1 = new RSAKeyGenerator(2048).keyID("key-1").generate();
    key2 = new RSAKeyGenerator(2048).keyID("key-2").generate();
    attackerKey = new RSAKeyGenerator(2048).keyID("key-1").generate();
    ecKey = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    idp = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    idp.start();
  }

  @AfterAll
  static void stopIdp() {
    idp.stop();
  }

  @BeforeEach
  void serveKey1() {
    idp.resetAll();
    serveJwks(key1);
    idp.stubFor(get(urlEqualTo("/attacker.json")).willReturn(aResponse()
        .withHeader("Content-Type", "application/json")
        .withBody(new JWKSet(attackerKey.toPublicJWK()).toString())));
  }

  @Test
  void acceptsAValidTokenAndMapsItsClaims() throws Exception {
    VerifiedJwt jwt = jwksVerifier().verify(sign(key1, claims().build()));
    assertThat(jwt).isEqualTo(new VerifiedJwt("acme", "proj-7", "user-42", "jti-1",
        NOW.plusSeconds(600)));
    assertThat(jwt.toPrincipal().keyId()).isEqualTo("jti-1");
  }

  @Test
  void usesTheSubjectAsKeyIdWhenTheTokenHasNoJti() throws Exception {
    VerifiedJwt jwt = jwksVerifier().verify(sign(key1, claims().jwtID(null).build()));
    assertThat(jwt.keyId()).isEqualTo("user-42");
  }

  @Test
  void acceptsAnAccessTokenTyp() throws Exception {
    String token = sign(key1, JWSAlgorithm.RS256, new RSASSASigner(key1),
        h -> h.type(new JOSEObjectType("at+jwt")), claims().build());
    assertThat(jwksVerifier().verify(token).subject()).isEqualTo("user-42");
  }

  @Test
  void acceptsATokenSignedWithAStaticEcPemKey() throws Exception {
    String pem = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(ecKey.toECPublicKey().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    JwtVerifier verifier = new JwtVerifier(config(null, pem, Set.of("ES256")), CLOCK);
    String token = sign(ecKey, JWSAlgorithm.ES256, new ECDSASigner(ecKey), h -> h, claims().build());
    assertThat(verifier.verify(token).tenantId()).isEqualTo("acme");
  }

  @Test
  void rejectsHs256SignedWithTheStaticPemKeyAsSecret() throws Exception {
    String pem = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(key1.toRSAPublicKey().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    JwtVerifier verifier = new JwtVerifier(config(null, pem, Set.of("RS256")), CLOCK);
    String forged = sign(key1, JWSAlgorithm.HS256, new MACSigner(pem.getBytes(UTF_8)), h -> h,
        claims().build());
    assertRejected(verifier, forged, "Another algorithm expected, or no matching key(s) found");
    assertThat(verifier.verify(sign(key1, claims().build())).subject()).isEqualTo("user-42");
  }

  @Test
  void acceptsATokenExpiredWithinTheClockSkew() throws Exception {
    String token = sign(key1, claims().expirationTime(date(-SKEW_SECONDS + 5)).build());
    assertThat(jwksVerifier().verify(token).subject()).isEqualTo("user-42");
  }

  @Test
  void rejectsAnUnsecuredAlgNoneToken() {
    String token = new PlainJWT(claims().build()).serialize();
    assertRejected(jwksVerifier(), token, "Unsecured (plain) JWTs are rejected");
  }

  @Test
  void rejectsHs256SignedWithTheRsaPublicKeyAsSecret() throws Exception {
    byte[] publicKeyBytes = key1.toRSAPublicKey().getEncoded();
    String token = sign(key1, JWSAlgorithm.HS256, new MACSigner(publicKeyBytes), h -> h,
        claims().build());
    assertRejected(jwksVerifier(), token, "Another algorithm expected, or no matching key(s) found");
  }

  @Test
  void rejectsAnExpiredToken() throws Exception {
    String token = sign(key1, claims().expirationTime(date(-SKEW_SECONDS - 1)).build());
    assertRejected(jwksVerifier(), token, "Expired JWT");
  }

  @Test
  void rejectsATokenNotValidBeforeBeyondTheSkew() throws Exception {
    String token = sign(key1, claims().notBeforeTime(date(SKEW_SECONDS + 5)).build());
    assertRejected(jwksVerifier(), token, "JWT before use time");
  }

  @Test
  void rejectsAWrongAudience() throws Exception {
    String token = sign(key1, claims().audience("someone-else").build());
    assertRejected(jwksVerifier(), token, "JWT audience rejected");
  }

  @Test
  void rejectsAMissingAudience() throws Exception {
    String token = sign(key1, claims().audience((String) null).build());
    assertRejected(jwksVerifier(), token, "JWT missing required audience");
  }

  @Test
  void rejectsAWrongIssuer() throws Exception {
    String token = sign(key1, claims().issuer("https://evil.example/").build());
    assertRejected(jwksVerifier(), token, "JWT iss claim has value https://evil.example/");
  }

  @Test
  void rejectsMissingRequiredClaims() throws Exception {
    JwtVerifier verifier = jwksVerifier();
    assertRejected(verifier, sign(key1, claims().subject(null).build()), "missing required claims");
    assertRejected(verifier, sign(key1, claims().expirationTime(null).build()),
        "missing required claims");
    assertRejected(verifier, sign(key1, claims().claim("tenant", null).build()),
        "missing required claims");
  }

  @Test
  void rejectsATokenForAnotherTenant() throws Exception {
    String token = sign(key1, claims().claim("tenant", "globex").build());
    assertRejected(jwksVerifier(), token, "claim tenant: not this tenant");
  }

  @Test
  void rejectsAWrongTyp() throws Exception {
    String token = sign(key1, JWSAlgorithm.RS256, new RSASSASigner(key1),
        h -> h.type(new JOSEObjectType("dpop+jwt")), claims().build());
    assertRejected(jwksVerifier(), token, "JOSE header typ (type) dpop+jwt not allowed");
  }

  @Test
  void rejectsATamperedSignature() throws Exception {
    String[] parts = sign(key1, claims().build()).split("\\.");
    String other = sign(key1, claims().subject("admin").build());
    String tampered = other.split("\\.")[0] + "." + other.split("\\.")[1] + "." + parts[2];
    assertRejected(jwksVerifier(), tampered, "Signed JWT rejected: Invalid signature");
  }

  @Test
  void rejectsUnknownAndHostileKidsWithoutFetchingTheJwksMoreThanRateLimitAllows() throws Exception {
    JwtVerifier verifier = jwksVerifier();
    verifier.verify(sign(key1, claims().build())); // warms the cache: fetch 1
    for (String kid : List.of("unknown", "../../dev/null", "' OR 1=1 --", "k".repeat(10_000))) {
      RSAKey rogue = new RSAKey.Builder(key1).keyID(kid).build();
      // the first unknown kid refetches; later ones hit the rate limit: both are rejections
      assertRejected(verifier, sign(rogue, claims().build()), "token rejected: ");
    }
    int fetches = idp.findAll(getRequestedFor(urlEqualTo("/jwks.json"))).size();
    assertThat(fetches).isBetween(1, 2);
  }

  @Test
  void ignoresJkuAndEmbeddedJwkHeaders() throws Exception {
    URI attackerJwks = URI.create(idp.baseUrl() + "/attacker.json");
    String token = sign(attackerKey, JWSAlgorithm.RS256, new RSASSASigner(attackerKey),
        h -> h.jwkURL(attackerJwks).jwk(attackerKey.toPublicJWK()), claims().build());
    assertRejected(jwksVerifier(), token, "Signed JWT rejected: Invalid signature");
    assertThat(idp.findAll(getRequestedFor(urlEqualTo("/attacker.json")))).isEmpty();
  }

  @Test
  void picksUpARotatedKeyAfterAnUnknownKidRefetch() throws Exception {
    JwtVerifier verifier = jwksVerifier();
    assertThat(verifier.verify(sign(key1, claims().build())).subject()).isEqualTo("user-42");

    serveJwks(key2); // the IdP rotates: key 1 retired, key 2 signs from now on
    VerifiedJwt rotated = verifier.verify(sign(key2, claims().subject("user-43").build()));

    assertThat(rotated.subject()).isEqualTo("user-43");
    assertThat(idp.findAll(getRequestedFor(urlEqualTo("/jwks.json")))).hasSize(2);
  }

  @Test
  void rejectsEveryTokenWhenTheJwksIsUnreachable() throws Exception {
    JwtVerifier verifier = new JwtVerifier(config(URI.create(idp.baseUrl() + "/missing.json"), null,
        Set.of("RS256")), CLOCK);
    assertThatThrownBy(() -> verifier.verify(sign(key1, claims().build())))
        .isInstanceOf(JwtRejectedException.class);
  }

  @Test
  void rejectsGarbage() {
    assertRejected(jwksVerifier(), "not.a.jwt", "malformed token");
  }

  // --- helpers ---

  static JwtVerifierConfig config(URI jwksUri, String staticKey, Set<String> algorithms) {
    return new JwtVerifierConfig("acme", ISSUER, Set.of(AUDIENCE), jwksUri, staticKey, algorithms,
        SKEW_SECONDS, "tenant", "project", "sub", 300, 30);
  }

  private JwtVerifier jwksVerifier() {
    return new JwtVerifier(config(URI.create(idp.baseUrl() + "/jwks.json"), null,
        Set.of("RS256", "ES256")), CLOCK);
  }

  private static void serveJwks(RSAKey key) {
    idp.stubFor(get(urlEqualTo("/jwks.json")).willReturn(aResponse()
        .withHeader("Content-Type", "application/json")
        .withBody(new JWKSet(key.toPublicJWK()).toString())));
  }

  static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .subject("user-42")
        .jwtID("jti-1")
        .issueTime(date(-10))
        .expirationTime(date(600))
        .claim("tenant", "acme")
        .claim("project", "proj-7");
  }

  static Date date(long secondsFromNow) {
    return Date.from(NOW.plusSeconds(secondsFromNow));
  }

  static String sign(RSAKey key, JWTClaimsSet claims) throws Exception {
    return sign(key, JWSAlgorithm.RS256, new RSASSASigner(key), h -> h, claims);
  }

  static String sign(com.nimbusds.jose.jwk.JWK key, JWSAlgorithm algorithm, JWSSigner signer,
      UnaryOperator<JWSHeader.Builder> header, JWTClaimsSet claims) throws Exception {
    JWSHeader.Builder builder = new JWSHeader.Builder(algorithm).keyID(key.getKeyID())
        .type(JOSEObjectType.JWT);
    SignedJWT jwt = new SignedJWT(header.apply(builder).build(), claims);
    jwt.sign(signer);
    return jwt.serialize();
  }

  private static void assertRejected(JwtVerifier verifier, String token, String reason) {
    assertThatThrownBy(() -> verifier.verify(token))
        .isInstanceOf(JwtRejectedException.class)
        .hasMessageContaining(reason);
  }
}
