package dev.tollgate.core.vault;

import java.time.Instant;
import java.util.Objects;

/**
 * One secret row as the {@link VaultStore} keeps it: the key (tenant, project, name), the sealed {@link
 * SecretRecord} and timestamps. {@code projectId} is {@code ""} for a tenant-wide secret.
 *
 * @param createdAt when the name was first written
 * @param rotatedAt when the value was last replaced (equals {@code createdAt} until then)
 */
public record StoredSecret(
    String tenantId, String projectId, String name, SecretRecord record, Instant createdAt, Instant rotatedAt) {

  public StoredSecret {
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(projectId, "projectId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(rotatedAt, "rotatedAt");
  }

  SecretContext context() {
    return new SecretContext(tenantId, projectId, name);
  }

  StoredSecret withRecord(SecretRecord sealed) {
    return new StoredSecret(tenantId, projectId, name, sealed, createdAt, rotatedAt);
  }
}
