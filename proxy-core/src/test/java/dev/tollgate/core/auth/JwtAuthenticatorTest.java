package dev.tollgate.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tollgate.core.auth.jwt.JwtVerifierConfig;
import dev.tollgate.core.config.AuthConfig;
import dev.tollgate.core.store.ApiKeyRecord;
import dev.tollgate.core.store.SqliteStateStore;
import dev.tollgate.core.store.TenantRecord;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwtAuthenticatorTest {

  static final String ISSUER = "https://idp.acme.example/";
  static RSAKey signingKey;
  static RSAKey otherKey;

  @TempDir
  Path dir;
  SqliteStateStore store;
  JwtAuthenticator jwts;

  @BeforeAll
  static void generateKeys() throws Exception {
    signingKey = new RSAKeyGenerator(2048).generate();
    otherKey = new RSAKeyGenerator(2048).generate();
  }

  @BeforeEach
  void openStore() {
    store = SqliteStateStore.open(dir);
    store.createTenant(new TenantRecord("acme", "Acme", "free", 0));
    store.createTenant(new TenantRecord("globex", "Globex", "free", 0));
    assertThat(store.putJwtConfig(config("acme", ISSUER, "proj"))).isTrue();
    jwts = new JwtAuthenticator(store, 1, 60_000);
  }

  @AfterEach
  void closeStore() {
    jwts.close();
    store.close();
  }

  @Test
  void mapsAVerifiedTokenToTheConfiguredTenantsPrincipal() throws Exception {
    String token = sign(signingKey, claims(ISSUER).claim("proj", "research").jwtID("jti-9").build());
    assertThat(jwts.authenticate(token).get())
        .contains(new Principal("acme", "research", "jti-9", "user-42"));
  }

  @Test
  void usesTheDefaultProjectAndTheSubjectAsKeyIdWhenTheTokenHasNeither() throws Exception {
    String token = sign(signingKey, claims(ISSUER).build());
    assertThat(jwts.authenticate(token).get())
        .contains(new Principal("acme", "default", "user-42", "user-42"));
  }

  @Test
  void rejectsATokenWhoseIssuerNoTenantHas() throws Exception {
    String token = sign(signingKey, claims("https://unknown.example/").build());
    assertThat(jwts.authenticate(token).get()).isEmpty();
  }

  @Test
  void rejectsATokenSignedWithAnotherKeyEvenThoughItNamesAKnownIssuer() throws Exception {
    String token = sign(otherKey, claims(ISSUER).build());
    assertThat(jwts.authenticate(token).get()).isEmpty();
  }

  @Test
  void refusesAnIssuerThatAnotherTenantAlreadyUses() {
    assertThat(store.putJwtConfig(config("globex", ISSUER, null))).isFalse();
    assertThat(store.jwtConfigByIssuer(ISSUER).map(JwtVerifierConfig::tenantId)).contains("acme");
    assertThat(store.jwtConfig("globex")).isEmpty();
  }

  @Test
  void storesTheSettingsAndReadsThemBackEqual() {
    JwtVerifierConfig config = config("globex", "https://idp.globex.example/", null);
    assertThat(store.putJwtConfig(config)).isTrue();
    assertThat(store.jwtConfig("globex")).contains(config);
    assertThat(store.deleteJwtConfig("globex")).isTrue();
    assertThat(store.deleteJwtConfig("globex")).isFalse();
    assertThat(store.jwtConfig("globex")).isEmpty();
  }

  @Test
  void appliesADeletionOnceTheAdminInvalidatesTheIssuer() throws Exception {
    String token = sign(signingKey, claims(ISSUER).build());
    assertThat(jwts.authenticate(token).get()).isPresent();
    store.deleteJwtConfig("acme");
    jwts.invalidate("acme", ISSUER);
    assertThat(jwts.authenticate(token).get()).isEmpty();
  }

  @Test
  void routesCredentialsByTheirShape() throws Exception {
    String key = ApiKeys.generate();
    store.createKey(new ApiKeyRecord("key_1", "acme", "default", "k", ApiKeys.lookupPrefix(key),
        ApiKeys.hash(key), 0, 0));
    AuthHandler handler = new AuthHandler(new ApiKeyVerifier(store, new AuthConfig(100, 60_000, 600_000)),
        jwts, new dev.tollgate.core.realtime.SessionTokens("", java.time.Clock.systemUTC()),
        new TenantDirectory(store, 60_000));
    assertThat(handler.principalFor(key).get().map(Principal::keyId)).contains("key_1");
    assertThat(handler.principalFor(sign(signingKey, claims(ISSUER).build())).get().map(Principal::keyId))
        .contains("user-42");
    assertThat(handler.principalFor("sk-not-ours").get()).isEmpty();
    assertThat(handler.principalFor("tg_" + sign(signingKey, claims(ISSUER).build())).get()).isEmpty();
  }

  private JwtVerifierConfig config(String tenantId, String issuer, String projectClaim) {
    try {
      String pem = "-----BEGIN PUBLIC KEY-----\n"
          + Base64.getMimeEncoder().encodeToString(signingKey.toRSAPublicKey().getEncoded())
          + "\n-----END PUBLIC KEY-----\n";
      return new JwtVerifierConfig(tenantId, issuer, Set.of("tollgate"), null, pem, Set.of("RS256"), 30,
          null, projectClaim, "sub", 300, 30);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JWTClaimsSet.Builder claims(String issuer) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder().issuer(issuer).audience("tollgate").subject("user-42")
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(600)));
  }

  private static String sign(RSAKey key, JWTClaimsSet claims) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).build(), claims);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }
}
