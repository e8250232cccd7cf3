package dev.tollgate.core.auth.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyConverter;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import java.security.Key;
import java.util.List;
import java.util.Set;

/**
 * Picks verification keys from a tenant's statically configured key set. Unlike a JWKS, a PEM key
 * has no {@code kid}, so a key without one matches any header {@code kid}; a key with one must match
 * it. Only the allow-listed algorithms are accepted, and keys never come from the token's header.
 * Immutable and thread-safe.
 */
final class StaticKeySelector implements JWSKeySelector<SecurityContext> {

  private final Set<JWSAlgorithm> algorithms;
  private final JWKSet keys;

  StaticKeySelector(Set<JWSAlgorithm> algorithms, JWKSet keys) {
    this.algorithms = Set.copyOf(algorithms);
    this.keys = keys;
  }

  @Override
  public List<? extends Key> selectJWSKeys(JWSHeader header, SecurityContext context)
      throws KeySourceException {
    JWSAlgorithm algorithm = header.getAlgorithm();
    if (!algorithms.contains(algorithm)) {
      return List.of(); // Nimbus then rejects: "Another algorithm expected, or no matching key(s)"
    }
    JWKMatcher byType = new JWKMatcher.Builder()
        .keyType(KeyType.forAlgorithm(algorithm))
        .algorithms(algorithm, null)
        .build();
    String kid = header.getKeyID();
    List<JWK> matches = new JWKSelector(byType).select(keys).stream()
        .filter(jwk -> jwk.getKeyID() == null || jwk.getKeyID().equals(kid))
        .toList();
    return KeyConverter.toJavaKeys(matches);
  }
}
