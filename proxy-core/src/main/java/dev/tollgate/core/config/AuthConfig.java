package dev.tollgate.core.config;

/**
 * API key verification cache: how many keys to keep, how soon a cached key is re-checked against the
 * store in the background (a revoked key stops working within this delay on other nodes; on the node
 * that revoked it, at once), and when an unused entry is dropped.
 */
public record AuthConfig(int keyCacheMaxEntries, long keyCacheRefreshMillis, long keyCacheExpireMillis) {

  public AuthConfig {
    Checks.positive("auth.keyCacheMaxEntries", keyCacheMaxEntries);
    Checks.positive("auth.keyCacheRefreshMillis", keyCacheRefreshMillis);
    if (keyCacheExpireMillis <= keyCacheRefreshMillis) {
      throw new IllegalArgumentException("auth.keyCacheExpireMillis: " + keyCacheExpireMillis
          + " (expected: > keyCacheRefreshMillis " + keyCacheRefreshMillis + ")");
    }
  }
}
