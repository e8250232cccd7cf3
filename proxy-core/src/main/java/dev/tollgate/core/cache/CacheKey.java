package dev.tollgate.core.cache;

import static java.util.Objects.requireNonNull;

/**
 * The key of one cached response: the tenant in clear (so even a digest collision cannot serve one
 * tenant's response to another) and the SHA-256 of tenant, project, method, route path and canonical
 * request body. Built by {@link ResponseCache#key}.
 */
public record CacheKey(String tenantId, String sha256Hex) {

  public CacheKey {
    requireNonNull(tenantId, "tenantId");
    requireNonNull(sha256Hex, "sha256Hex");
  }
}
