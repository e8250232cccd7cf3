package dev.tollgate.core.vault;

/** Outcome of {@link Vault#rotateDek(String)}: the tenant's new DEK version and how many secrets moved to it. */
public record DekRotationResult(String tenantId, int newDekVersion, int reencrypted) {}
