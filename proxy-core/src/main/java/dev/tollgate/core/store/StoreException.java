package dev.tollgate.core.store;

/** A store call failed; the message says which kind of call, never the values involved. */
public final class StoreException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
