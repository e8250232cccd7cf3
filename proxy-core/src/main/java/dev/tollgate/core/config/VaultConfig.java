package dev.tollgate.core.config;

import java.util.List;

/**
 * Envelope encryption of tenants' provider keys. {@code keks} lists key-encryption keys, newest first:
 * the first wraps new DEKs, all unwrap (rotation without downtime). Each comes from a base64 value
 * (from the environment) or a file; an entry with neither is skipped, and with no KEK at all the vault
 * is off (tenants use the operator's provider keys). Decrypted provider keys are cached for
 * {@code keyCacheTtlMillis}. Not hot-swappable except the KEK list.
 */
public record VaultConfig(List<KekConfig> keks, long keyCacheTtlMillis, int keyCacheMaxEntries) {

  public VaultConfig {
    keks = keks == null ? List.of() : List.copyOf(keks);
    Checks.positive("vault.keyCacheTtlMillis", keyCacheTtlMillis);
    Checks.positive("vault.keyCacheMaxEntries", keyCacheMaxEntries);
  }

  /** The entries that name a key, in order. */
  public List<KekConfig> configuredKeks() {
    return keks.stream().filter(KekConfig::configured).toList();
  }

  /** One KEK: an id, and the 256-bit key as base64 or in a file. Never printed. */
  public record KekConfig(String id, String key, String file) {

    public KekConfig {
      Checks.notBlank("vault.keks[].id", id);
      key = key == null ? "" : key.trim();
      file = file == null ? "" : file.trim();
    }

    public boolean configured() {
      return !key.isEmpty() || !file.isEmpty();
    }

    @Override
    public String toString() {
      return "KekConfig[id=" + id + ", key=" + (key.isEmpty() ? "unset" : "[redacted]") + ", file=" + file + "]";
    }
  }
}
