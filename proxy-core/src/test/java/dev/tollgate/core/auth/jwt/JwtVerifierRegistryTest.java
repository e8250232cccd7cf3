package dev.tollgate.core.auth.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JwtVerifierRegistryTest {

  static final URI JWKS = URI.create("https://idp.acme.example/jwks.json");

  @Test
  void reusesTheVerifierWhileTheTenantConfigIsUnchanged() {
    JwtVerifierRegistry registry = new JwtVerifierRegistry(100, 3600);
    JwtVerifier first = registry.verifierFor(JwtVerifierConfigTest.config(JWKS, null, Set.of("RS256"), 60));
    JwtVerifier second = registry.verifierFor(JwtVerifierConfigTest.config(JWKS, null, Set.of("RS256"), 60));
    assertThat(second).isSameAs(first);
    assertThat(registry.size()).isEqualTo(1);
  }

  @Test
  void rebuildsTheVerifierWhenTheTenantConfigChanges() {
    JwtVerifierRegistry registry = new JwtVerifierRegistry(100, 3600);
    JwtVerifier before = registry.verifierFor(JwtVerifierConfigTest.config(JWKS, null, Set.of("RS256"), 60));
    JwtVerifier after = registry.verifierFor(JwtVerifierConfigTest.config(JWKS, null, Set.of("ES256"), 60));
    assertThat(after).isNotSameAs(before);
    assertThat(after.config().algorithms()).containsExactly("ES256");
    assertThat(registry.size()).isEqualTo(1);
  }

  @Test
  void forgetsAnInvalidatedTenant() {
    JwtVerifierRegistry registry = new JwtVerifierRegistry(100, 3600);
    registry.verifierFor(JwtVerifierConfigTest.config(JWKS, null, Set.of("RS256"), 60));
    registry.invalidate("acme");
    assertThat(registry.size()).isZero();
  }

  @Test
  void refusesANonPositiveSize() {
    assertThatThrownBy(() -> new JwtVerifierRegistry(0, 60)).hasMessage("maxTenants: 0 (expected: > 0)");
  }
}
