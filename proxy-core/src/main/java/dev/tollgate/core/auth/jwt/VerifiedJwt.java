package dev.tollgate.core.auth.jwt;

import dev.tollgate.core.auth.Principal;
import java.time.Instant;
import java.util.Objects;

/**
 * The caller identity a {@link JwtVerifier} read from a token whose signature, issuer, audience and
 * times all checked out. Immutable; safe to pass between threads.
 *
 * @param projectId null when the tenant's tokens carry no project claim
 * @param keyId the token's {@code jti}, or its subject when it has none
 * @param expiresAt the token's {@code exp}
 */
public record VerifiedJwt(String tenantId, String projectId, String subject, String keyId,
    Instant expiresAt) {

  public VerifiedJwt {
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** The principal {@code AuthHandler} puts on the request context. */
  public Principal toPrincipal() {
    return new Principal(tenantId, projectId, keyId, subject);
  }
}
