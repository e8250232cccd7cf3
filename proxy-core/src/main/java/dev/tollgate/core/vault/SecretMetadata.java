package dev.tollgate.core.vault;

import java.time.Instant;

/**
 * What the admin API may show about a secret: never its value, only the last four characters (code points) of values of
 * at least {@value Vault#MIN_LENGTH_FOR_SUFFIX} characters (empty otherwise or when the record is unreadable).
 *
 * @param projectId {@code ""} for a tenant-wide secret
 */
public record SecretMetadata(
    String name,
    SecretScope scope,
    String projectId,
    Instant createdAt,
    Instant rotatedAt,
    int dekVersion,
    String kekId,
    String suffix) {}
