package dev.tollgate.core.vault;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;

/** Fixed keys and clocks shared by the vault tests. */
final class VaultFixtures {

  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);

  private VaultFixtures() {}

  /** 32 bytes {@code start, start+1, ...}: recognisable in hex dumps. */
  static byte[] bytes(int start, int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (start + i);
    }
    return b;
  }

  static Kek kek(String id, int seed) {
    return Kek.of(id, bytes(seed, 32));
  }

  static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex);
  }

  static Vault vault(VaultStore store, KekRing ring) {
    return new Vault(store, ring, new SecureRandom(), CLOCK, Vault.DEFAULT_MAX_ENCRYPTIONS_PER_DEK);
  }
}
