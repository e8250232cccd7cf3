package dev.tollgate.core.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tollgate.core.auth.Principal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import org.junit.jupiter.api.Test;

class SessionTokensTest {

  private static final String SECRET = "0123456789abcdef0123456789abcdef";
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private final SessionTokens tokens = new SessionTokens(SECRET, Clock.fixed(NOW, ZoneOffset.UTC));
  private final Principal principal = new Principal("ten_1", "prj_1", "key_1", null);

  @Test
  void aMintedTokenVerifiesToItsTenantProjectKeyAndUser() {
    String token = tokens.mint(principal, "alice", "rs_1", 600);

    assertThat(tokens.issuer()).isEqualTo(SessionTokens.ISSUER);
    assertThat(tokens.verify(token)).contains(new Principal("ten_1", "prj_1", "key_1", "alice"));
  }

  @Test
  void rejectsAnExpiredToken() {
    String token = tokens.mint(principal, "alice", "rs_1", 600);
    SessionTokens later = new SessionTokens(SECRET, Clock.fixed(NOW.plusSeconds(601), ZoneOffset.UTC));

    assertThat(later.verify(token)).isEmpty();
  }

  @Test
  void rejectsATokenSignedWithAnotherSecretOrTampered() {
    String token = tokens.mint(principal, "alice", "rs_1", 600);
    SessionTokens otherGateway = new SessionTokens("another-secret-another-secret-xx", Clock.fixed(NOW, ZoneOffset.UTC));
    String[] parts = token.split("\\.");
    String tampered = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2) + "AA." + parts[2];

    assertThat(otherGateway.verify(token)).isEmpty();
    assertThat(tokens.verify(tampered)).isEmpty();
    assertThat(tokens.verify("not.a.token")).isEmpty();
  }

  @Test
  void rejectsAnUnsignedTokenClaimingOurIssuer() throws Exception {
    String header = java.util.Base64.getUrlEncoder().withoutPadding()
        .encodeToString("{\"alg\":\"none\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    String claims = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        ("{\"iss\":\"" + SessionTokens.ISSUER + "\",\"aud\":\"tollgate-realtime\",\"tid\":\"ten_1\",\"kid\":\"k\","
            + "\"exp\":" + (NOW.getEpochSecond() + 60) + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8));

    assertThat(tokens.verify(header + "." + claims + ".")).isEmpty();
  }

  @Test
  void rejectsAValidlySignedTokenForAnotherAudience() throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
        .issuer(SessionTokens.ISSUER).audience("someone-else").claim("tid", "ten_1").claim("kid", "k")
        .expirationTime(Date.from(NOW.plusSeconds(60))).build());
    jwt.sign(new MACSigner(SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8)));

    assertThat(tokens.verify(jwt.serialize())).isEmpty();
  }

  @Test
  void aTenantIssuedJwtIsNotMistakenForASessionToken() throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
        .issuer("https://idp.example.com/").build());
    jwt.sign(new MACSigner(SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8)));

    assertThat(tokens.verify(jwt.serialize())).isEmpty();
    assertThat(tokens.verify("tg_abc")).isEmpty();
  }

  @Test
  void neverPrintsTheSecret() {
    assertThat(tokens.toString()).doesNotContain(SECRET);
  }
}
