package dev.tollgate.core.config;

/** Which {@code StateStore} holds tenants, keys and counters; not hot-swappable. */
public record StoreConfig(String type, String dataDir) {

  public StoreConfig {
    if (!"embedded".equals(type)) {
      throw new IllegalArgumentException("store.type: " + type + " (expected: embedded)");
    }
    Checks.notBlank("store.dataDir", dataDir);
  }
}
