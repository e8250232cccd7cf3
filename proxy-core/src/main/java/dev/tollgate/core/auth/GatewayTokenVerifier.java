package dev.tollgate.core.auth;

import java.util.Optional;

/**
 * Verifies the tokens the gateway mints itself (short-lived browser session tokens), recognised by
 * their issuer. {@link AuthHandler} asks it before routing a JWT to a tenant's own issuer. Must not
 * block: it runs on the event loop.
 */
public interface GatewayTokenVerifier {

  /** The {@code iss} the gateway's own tokens carry. */
  String issuer();

  /** The principal of a valid, unexpired token, or empty. */
  Optional<Principal> verify(String token);
}
