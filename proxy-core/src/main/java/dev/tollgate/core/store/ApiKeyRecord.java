package dev.tollgate.core.store;

/**
 * A stored API key: its public id, owner, name, lookup prefix and hash — never the key itself.
 *
 * @param revokedAtMillis 0 while the key is active
 */
public record ApiKeyRecord(
    String id,
    String tenantId,
    String projectId,
    String name,
    String prefix,
    String hash,
    long createdAtMillis,
    long revokedAtMillis) {

  public boolean active() {
    return revokedAtMillis == 0;
  }
}
