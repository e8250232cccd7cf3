package dev.tollgate.core.vault;

/**
 * A vault operation that failed closed: a record that does not decrypt, a missing key, a malformed record.
 * Messages name tenants, secret names and key ids, never key material or plaintext.
 */
public final class VaultException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public VaultException(String message) {
    super(message);
  }

  public VaultException(String message, Throwable cause) {
    super(message, cause);
  }
}
