package dev.tollgate.core.vault;

import java.time.Instant;
import java.util.Objects;

/**
 * One data-encryption key of a tenant, wrapped under a KEK, with the number of GCM encryptions it has
 * performed (reserved before each use, so a crash can only over-count). A tenant normally has one; during a
 * DEK rotation it briefly has two, and secrets name theirs by {@code dekVersion}.
 *
 * @param dekVersion 1, 2, ... per tenant; the highest is the current one
 * @param encryptionCount GCM encryptions done or reserved under this DEK (see {@link Vault} for the limit)
 */
public record TenantDekRecord(
    String tenantId, int dekVersion, WrappedDek wrappedDek, Instant createdAt, long encryptionCount) {

  public TenantDekRecord {
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(wrappedDek, "wrappedDek");
    Objects.requireNonNull(createdAt, "createdAt");
    if (dekVersion < 1) {
      throw new IllegalArgumentException("dekVersion: " + dekVersion + " (expected: >= 1)");
    }
    if (encryptionCount < 0) {
      throw new IllegalArgumentException("encryptionCount: " + encryptionCount + " (expected: >= 0)");
    }
  }

  /** The id of the KEK the DEK is wrapped under. */
  public String kekId() {
    return wrappedDek.kekId();
  }

  TenantDekRecord withWrappedDek(WrappedDek rewrapped) {
    return new TenantDekRecord(tenantId, dekVersion, rewrapped, createdAt, encryptionCount);
  }

  TenantDekRecord withEncryptionCount(long count) {
    return new TenantDekRecord(tenantId, dekVersion, wrappedDek, createdAt, count);
  }
}
