package dev.tollgate.core.vault;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The configured KEKs, newest first: the first one wraps every new or rotated DEK, all of them unwrap. An
 * old KEK stays in the ring (decrypt-only) until {@link Vault#rotateKek()} has moved every DEK off it.
 * Immutable and thread-safe.
 */
public final class KekRing {

  private final Kek current;
  private final Map<String, Kek> byId;

  /** A ring from KEKs in configuration order; the first is the current (wrapping) key. */
  public KekRing(List<Kek> keks) {
    Objects.requireNonNull(keks, "keks");
    if (keks.isEmpty()) {
      throw new IllegalArgumentException("keks: [] (expected: at least one KEK)");
    }
    Map<String, Kek> map = new LinkedHashMap<>();
    for (Kek kek : keks) {
      Objects.requireNonNull(kek, "kek");
      if (map.putIfAbsent(kek.id(), kek) != null) {
        throw new IllegalArgumentException("keks: KEK id '" + kek.id() + "' appears twice");
      }
    }
    this.current = keks.get(0);
    this.byId = Map.copyOf(map);
  }

  public static KekRing of(Kek... keks) {
    return new KekRing(List.of(keks));
  }

  /** The KEK that wraps new DEKs. */
  public Kek current() {
    return current;
  }

  public Optional<Kek> find(String kekId) {
    return Optional.ofNullable(byId.get(kekId));
  }

  Kek require(String kekId) {
    Kek kek = byId.get(kekId);
    if (kek == null) {
      throw new VaultException("KEK '" + kekId + "' is not configured (configured: " + byId.keySet() + ")");
    }
    return kek;
  }

  @Override
  public String toString() {
    return "KekRing[current=" + current.id() + ", ids=" + byId.keySet() + "]";
  }
}
