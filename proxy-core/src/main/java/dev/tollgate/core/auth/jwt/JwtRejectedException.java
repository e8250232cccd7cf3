package dev.tollgate.core.auth.jwt;

/**
 * A token failed verification. The message says why for the logs (never the token itself); the
 * client only ever sees a generic {@code UNAUTHENTICATED}.
 */
public final class JwtRejectedException extends Exception {

  private static final long serialVersionUID = 1L;

  JwtRejectedException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
