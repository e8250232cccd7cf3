package dev.tollgate.core.vault;

import java.util.List;
import java.util.Optional;

/**
 * Persistence for {@link Vault}: tenant DEK records keyed by (tenantId, dekVersion) and secret rows keyed by
 * (tenantId, projectId, name). Implementations are thread-safe and may block; each call is one atomic row
 * operation. {@link Vault} serialises writes per tenant within one process.
 */
public interface VaultStore {

  /** Every DEK record of the tenant, any order; empty if it has none yet. */
  List<TenantDekRecord> deks(String tenantId);

  /** Tenants that have at least one DEK record (walked by KEK rotation). */
  List<String> tenantsWithDeks();

  /** Inserts or replaces the record with the same (tenantId, dekVersion). */
  void putDek(TenantDekRecord dek);

  void deleteDek(String tenantId, int dekVersion);

  /** {@code projectId} is {@code ""} for a tenant-wide secret. */
  Optional<StoredSecret> secret(String tenantId, String projectId, String name);

  /** Every secret row of the tenant, tenant-wide and per project. */
  List<StoredSecret> secrets(String tenantId);

  /** Inserts or replaces the row with the same (tenantId, projectId, name). */
  void putSecret(StoredSecret secret);

  /** Returns whether a row was deleted. */
  boolean deleteSecret(String tenantId, String projectId, String name);
}
