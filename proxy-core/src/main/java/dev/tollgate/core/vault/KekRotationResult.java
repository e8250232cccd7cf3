package dev.tollgate.core.vault;

import java.util.List;

/**
 * Outcome of {@link Vault#rotateKek()}, counted per DEK record. A failed DEK stays under its old KEK; the
 * list names the tenants (never key material) so an operator can look.
 */
public record KekRotationResult(int rewrapped, int alreadyCurrent, int failed, List<String> failedTenants) {

  public KekRotationResult {
    failedTenants = List.copyOf(failedTenants);
  }
}
