package dev.tollgate.core.auth;

import java.util.Objects;

/**
 * Who is calling, as established by {@link AuthHandler}: immutable and carried on the request context
 * to every later stage.
 *
 * @param keyId the API key's public id, or the JWT's {@code jti}/subject for token callers
 * @param subject an end-user or machine identifier (JWT claim or subject header), may be null
 */
public record Principal(String tenantId, String projectId, String keyId, String subject) {

  public Principal {
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(keyId, "keyId");
  }

  public Principal withSubject(String newSubject) {
    return new Principal(tenantId, projectId, keyId, newSubject);
  }
}
