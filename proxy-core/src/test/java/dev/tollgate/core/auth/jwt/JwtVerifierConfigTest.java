package dev.tollgate.core.auth.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JwtVerifierConfigTest {

  static final URI JWKS = URI.create("https://idp.acme.example/jwks.json");

  @Test
  void refusesHmacMixedWithRsa() {
    assertThatThrownBy(() -> config(JWKS, null, Set.of("HS256", "RS256"), 60))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(expected: HMAC or asymmetric algorithms, never both)");
  }

  @Test
  void refusesAlgorithmNone() {
    assertThatThrownBy(() -> config(JWKS, null, Set.of("none"), 60))
        .hasMessage("algorithms: none (expected: a signing algorithm)");
  }

  @Test
  void refusesAnUnknownAlgorithm() {
    assertThatThrownBy(() -> config(JWKS, null, Set.of("RS1"), 60))
        .hasMessageStartingWith("algorithms: RS1 (expected:");
  }

  @Test
  void refusesAClockSkewAboveFiveMinutes() {
    assertThatThrownBy(() -> config(JWKS, null, Set.of("RS256"), 301))
        .hasMessage("clockSkewSeconds: 301 (expected: 0..300)");
  }

  @Test
  void needsExactlyOneKeySource() {
    assertThatThrownBy(() -> config(null, null, Set.of("RS256"), 60))
        .hasMessage("jwksUri/staticKey: neither set (expected: exactly one)");
    assertThatThrownBy(() -> config(JWKS, "{}", Set.of("RS256"), 60))
        .hasMessage("jwksUri/staticKey: both set (expected: exactly one)");
  }

  @Test
  void refusesAJwksUriThatIsNotHttp() {
    assertThatThrownBy(() -> config(URI.create("file:///etc/passwd"), null, Set.of("RS256"), 60))
        .hasMessage("jwksUri: scheme file (expected: https or http)");
  }

  @Test
  void neverPrintsTheStaticKey() {
    String secretJwk = "{\"kty\":\"oct\",\"k\":\"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA\"}";
    JwtVerifierConfig config = config(null, secretJwk, Set.of("HS256"), 60);
    assertThat(config.toString()).contains("staticKey=(set)").doesNotContain("c2VjcmV0");
  }

  @Test
  void refusesUnreadableStaticKeyWithoutEchoingIt() {
    JwtVerifierConfig config = config(null, "not-a-key-s3cr3t", Set.of("RS256"), 60);
    assertThatThrownBy(() -> new JwtVerifier(config))
        .hasMessage("staticKey: unreadable (expected: PEM PUBLIC KEY, JWK or JWK set)");
  }

  static JwtVerifierConfig config(URI jwksUri, String staticKey, Set<String> algorithms,
      int clockSkewSeconds) {
    return new JwtVerifierConfig("acme", "https://idp.acme.example/", Set.of("tollgate"), jwksUri,
        staticKey, algorithms, clockSkewSeconds, null, null, "sub", 300, 30);
  }
}
