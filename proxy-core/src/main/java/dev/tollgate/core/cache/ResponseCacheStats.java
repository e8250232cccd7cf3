package dev.tollgate.core.cache;

/**
 * A snapshot of {@link ResponseCache}'s counters for metrics.
 *
 * @param sizeEvictions entries dropped to stay within the byte budget
 * @param expirations entries dropped because their TTL ran out
 * @param weightedBytes the bytes charged against {@code maxBytes} right now
 */
public record ResponseCacheStats(
    long hits, long misses, long sizeEvictions, long expirations, long entries, long weightedBytes, long maxBytes) {}
