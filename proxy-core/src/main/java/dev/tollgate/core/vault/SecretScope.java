package dev.tollgate.core.vault;

/** Whether a secret serves one project or every project of its tenant (the fallback of {@link Vault#resolve}). */
public enum SecretScope {
  TENANT,
  PROJECT
}
