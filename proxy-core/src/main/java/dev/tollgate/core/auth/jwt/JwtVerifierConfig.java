package dev.tollgate.core.auth.jwt;

import com.nimbusds.jose.Algorithm;
import com.nimbusds.jose.JWSAlgorithm;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * How one tenant's JWTs are verified: who issues them, for which audience, where the verification
 * keys come from (a JWKS URL, or a static public key as PEM, JWK or JWK set) and which claims name
 * the tenant, project and subject. Immutable; validated on construction.
 *
 * @param tenantId the tenant these tokens belong to; a verified token always maps to it
 * @param issuer the exact {@code iss} required
 * @param audiences accepted {@code aud} values; the token must carry at least one of them
 * @param jwksUri where the tenant publishes its JWK set (http or https); null when {@code staticKey}
 *     is set
 * @param staticKey a PEM {@code PUBLIC KEY}, a JWK or a JWK set as JSON; null when {@code jwksUri} is
 *     set. Never printed by {@link #toString()}
 * @param algorithms the JWS algorithm allow-list, e.g. {@code RS256, ES256}; HMAC never mixes with
 *     asymmetric algorithms, {@code none} is never allowed
 * @param clockSkewSeconds tolerance for {@code exp}/{@code nbf}, 0 to {@link #MAX_CLOCK_SKEW_SECONDS}
 * @param tenantClaim optional claim that must be present and equal {@code tenantId}; null to skip
 * @param projectClaim optional claim holding the project id; null when tokens carry no project
 * @param subjectClaim claim holding the end user or machine id, usually {@code sub}; required
 * @param jwksCacheTtlSeconds how long a fetched JWK set is used before it is fetched again
 * @param jwksRefetchMinIntervalSeconds least time between fetches (an unknown {@code kid} triggers
 *     a fetch at most this often)
 */
public record JwtVerifierConfig(
    String tenantId,
    String issuer,
    Set<String> audiences,
    URI jwksUri,
    String staticKey,
    Set<String> algorithms,
    int clockSkewSeconds,
    String tenantClaim,
    String projectClaim,
    String subjectClaim,
    int jwksCacheTtlSeconds,
    int jwksRefetchMinIntervalSeconds) {

  public static final int MAX_CLOCK_SKEW_SECONDS = 300;

  public JwtVerifierConfig {
    requireText(tenantId, "tenantId");
    requireText(issuer, "issuer");
    requireText(subjectClaim, "subjectClaim");
    Objects.requireNonNull(audiences, "audiences");
    Objects.requireNonNull(algorithms, "algorithms");
    audiences = Set.copyOf(audiences);
    algorithms = Set.copyOf(algorithms);
    if (audiences.isEmpty()) {
      throw new IllegalArgumentException("audiences: [] (expected: at least one)");
    }
    if ((jwksUri == null) == (staticKey == null)) {
      throw new IllegalArgumentException(
          "jwksUri/staticKey: " + (jwksUri == null ? "neither" : "both") + " set (expected: exactly one)");
    }
    if (jwksUri != null && !"https".equals(jwksUri.getScheme()) && !"http".equals(jwksUri.getScheme())) {
      throw new IllegalArgumentException("jwksUri: scheme " + jwksUri.getScheme()
          + " (expected: https or http)");
    }
    if (clockSkewSeconds < 0 || clockSkewSeconds > MAX_CLOCK_SKEW_SECONDS) {
      throw new IllegalArgumentException("clockSkewSeconds: " + clockSkewSeconds
          + " (expected: 0.." + MAX_CLOCK_SKEW_SECONDS + ")");
    }
    if (jwksCacheTtlSeconds < 60) {
      throw new IllegalArgumentException("jwksCacheTtlSeconds: " + jwksCacheTtlSeconds
          + " (expected: >= 60)");
    }
    if (jwksRefetchMinIntervalSeconds < 1 || jwksRefetchMinIntervalSeconds >= jwksCacheTtlSeconds) {
      throw new IllegalArgumentException("jwksRefetchMinIntervalSeconds: " + jwksRefetchMinIntervalSeconds
          + " (expected: >= 1 and < jwksCacheTtlSeconds)");
    }
    jwsAlgorithms(algorithms); // validates
  }

  /** The allow-list as Nimbus algorithms. */
  Set<JWSAlgorithm> jwsAlgorithms() {
    return jwsAlgorithms(algorithms);
  }

  /** Prints everything but the static key material. */
  @Override
  public String toString() {
    return "JwtVerifierConfig[tenantId=" + tenantId + ", issuer=" + issuer + ", audiences=" + audiences
        + ", jwksUri=" + jwksUri + ", staticKey=" + (staticKey == null ? "null" : "(set)")
        + ", algorithms=" + algorithms + ", clockSkewSeconds=" + clockSkewSeconds
        + ", tenantClaim=" + tenantClaim + ", projectClaim=" + projectClaim
        + ", subjectClaim=" + subjectClaim + ", jwksCacheTtlSeconds=" + jwksCacheTtlSeconds
        + ", jwksRefetchMinIntervalSeconds=" + jwksRefetchMinIntervalSeconds + "]";
  }

  private static Set<JWSAlgorithm> jwsAlgorithms(Set<String> names) {
    if (names.isEmpty()) {
      throw new IllegalArgumentException("algorithms: [] (expected: at least one)");
    }
    Set<JWSAlgorithm> result = new LinkedHashSet<>();
    boolean hmac = false;
    boolean asymmetric = false;
    for (String name : names) {
      JWSAlgorithm algorithm = JWSAlgorithm.parse(name);
      if (Algorithm.NONE.getName().equals(name)) {
        throw new IllegalArgumentException("algorithms: none (expected: a signing algorithm)");
      }
      if (JWSAlgorithm.Family.HMAC_SHA.contains(algorithm)) {
        hmac = true;
      } else if (JWSAlgorithm.Family.SIGNATURE.contains(algorithm)) {
        asymmetric = true;
      } else {
        throw new IllegalArgumentException("algorithms: " + name
            + " (expected: one of RS*, PS*, ES*, EdDSA, Ed25519 or HS*)");
      }
      result.add(algorithm);
    }
    if (hmac && asymmetric) {
      throw new IllegalArgumentException("algorithms: " + names
          + " (expected: HMAC or asymmetric algorithms, never both)");
    }
    return Set.copyOf(result);
  }

  private static void requireText(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + ": blank (expected: non-blank)");
    }
  }
}
