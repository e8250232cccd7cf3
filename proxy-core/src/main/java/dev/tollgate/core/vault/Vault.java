package dev.tollgate.core.vault;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tenant secrets under envelope encryption: each tenant has a DEK wrapped by the current KEK of a {@link
 * KekRing}, and each secret is sealed with that DEK by {@link SecretCipher}. Does no I/O itself; rows go
 * through a {@link VaultStore}. Thread-safe and blocking: call it from a worker executor, never from an
 * event loop. Operations on one tenant are serialised by a per-tenant read/write lock (one process only).
 *
 * <p>Nonce budget: random 96-bit nonces allow at most 2^32 encryptions per key (NIST SP 800-38D §8.3). Each
 * encryption is counted on the DEK record before it happens; when the next one would pass {@code
 * maxEncryptionsPerDek} (default 2^30, a quarter of the limit) {@link #putSecret} first rotates the tenant's
 * DEK, and a single operation that would still pass it is refused.
 */
public final class Vault {

  /** Default encryptions allowed per DEK before it is rotated: 2^30, well under the 2^32 bound. */
  public static final long DEFAULT_MAX_ENCRYPTIONS_PER_DEK = 1L << 30;

  /** Values shorter than this show no suffix in {@link SecretMetadata}. */
  public static final int MIN_LENGTH_FOR_SUFFIX = 12;

  private static final Logger log = LoggerFactory.getLogger(Vault.class);
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private final VaultStore store;
  private volatile KekRing keks;
  private final SecureRandom random;
  private final SecretCipher cipher;
  private final Clock clock;
  private final long maxEncryptionsPerDek;
  private final Map<String, ReadWriteLock> tenantLocks = new ConcurrentHashMap<>();

  public Vault(VaultStore store, KekRing keks) {
    this(store, keks, new SecureRandom(), Clock.systemUTC(), DEFAULT_MAX_ENCRYPTIONS_PER_DEK);
  }

  public Vault(VaultStore store, KekRing keks, SecureRandom random, Clock clock, long maxEncryptionsPerDek) {
    this(store, keks, random, new SecretCipher(random), clock, maxEncryptionsPerDek);
  }

  Vault(
      VaultStore store,
      KekRing keks,
      SecureRandom random,
      SecretCipher cipher,
      Clock clock,
      long maxEncryptionsPerDek) {
    this.store = Objects.requireNonNull(store, "store");
    this.keks = Objects.requireNonNull(keks, "keks");
    this.random = Objects.requireNonNull(random, "random");
    this.cipher = Objects.requireNonNull(cipher, "cipher");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (maxEncryptionsPerDek < 1 || maxEncryptionsPerDek > (1L << 32)) {
      throw new IllegalArgumentException(
          "maxEncryptionsPerDek: " + maxEncryptionsPerDek + " (expected: 1..2^32)");
    }
    this.maxEncryptionsPerDek = maxEncryptionsPerDek;
  }

  /**
   * Swaps in a new KEK ring (config reload). Put the new KEK first and keep the old ones until {@link
   * #rotateKek()} reports nothing left on them; operations already running finish with the old ring.
   */
  public void useKeks(KekRing newKeks) {
    this.keks = Objects.requireNonNull(newKeks, "newKeks");
  }

  /**
   * Stores or replaces a secret. {@code projectId} null or empty makes it tenant-wide.
   *
   * @return the new metadata (never the value)
   */
  public SecretMetadata putSecret(String tenantId, String projectId, String name, String value) {
    Objects.requireNonNull(value, "value");
    byte[] plaintext = value.getBytes(StandardCharsets.UTF_8);
    try {
      return put(tenantId, projectId, name, plaintext, value.length());
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /** As {@link #putSecret(String, String, String, String)}; the caller may wipe {@code value} afterwards. */
  public SecretMetadata putSecret(String tenantId, String projectId, String name, char[] value) {
    Objects.requireNonNull(value, "value");
    ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(value));
    byte[] plaintext = new byte[encoded.remaining()];
    encoded.get(plaintext);
    Arrays.fill(encoded.array(), (byte) 0);
    try {
      return put(tenantId, projectId, name, plaintext, value.length);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /**
   * The secret for a request: the project's own secret if {@code projectId} has one, else the tenant-wide
   * one. Empty if neither exists; a record that exists but does not decrypt throws {@link VaultException}.
   */
  public Optional<SecretValue> resolve(String tenantId, String projectId, String name) {
    validateId("tenantId", tenantId);
    validateId("name", name);
    String project = normaliseProject(projectId);
    ReadWriteLock lock = lockFor(tenantId);
    lock.readLock().lock();
    try {
      Optional<StoredSecret> row = project.isEmpty() ? Optional.empty() : store.secret(tenantId, project, name);
      if (row.isEmpty()) {
        row = store.secret(tenantId, "", name);
      }
      if (row.isEmpty()) {
        return Optional.empty();
      }
      byte[] plaintext = open(row.get(), deksByVersion(tenantId), null);
      try {
        return Optional.of(SecretValue.fromUtf8(plaintext));
      } finally {
        Arrays.fill(plaintext, (byte) 0);
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Metadata of every secret of the tenant, tenant-wide first, then by project and name. */
  public List<SecretMetadata> listSecrets(String tenantId) {
    validateId("tenantId", tenantId);
    ReadWriteLock lock = lockFor(tenantId);
    lock.readLock().lock();
    try {
      Map<Integer, TenantDekRecord> deks = deksByVersion(tenantId);
      Map<Integer, byte[]> unwrapped = new HashMap<>();
      List<SecretMetadata> list = new ArrayList<>();
      try {
        for (StoredSecret row : store.secrets(tenantId)) {
          TenantDekRecord dek = deks.get(row.record().dekVersion());
          list.add(new SecretMetadata(
              row.name(),
              row.projectId().isEmpty() ? SecretScope.TENANT : SecretScope.PROJECT,
              row.projectId(),
              row.createdAt(),
              row.rotatedAt(),
              row.record().dekVersion(),
              dek == null ? "" : dek.kekId(),
              suffixOf(row, deks, unwrapped)));
        }
      } finally {
        unwrapped.values().forEach(k -> Arrays.fill(k, (byte) 0));
      }
      list.sort(Comparator.comparing(SecretMetadata::projectId).thenComparing(SecretMetadata::name));
      return list;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Deletes one secret; {@code projectId} null or empty names the tenant-wide one. Returns whether it existed. */
  public boolean deleteSecret(String tenantId, String projectId, String name) {
    validateId("tenantId", tenantId);
    validateId("name", name);
    ReadWriteLock lock = lockFor(tenantId);
    lock.writeLock().lock();
    try {
      return store.deleteSecret(tenantId, normaliseProject(projectId), name);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Re-wraps every tenant DEK that is not under the ring's current KEK; secret rows are untouched.
   * Idempotent and resumable: a run interrupted by a store failure throws, and the next run counts what the
   * first finished as {@code alreadyCurrent} and does the rest. A DEK that cannot be unwrapped (KEK missing
   * from the ring, corrupted record) is counted as failed and left as it was.
   */
  public KekRotationResult rotateKek() {
    KekRing ring = keks;
    Kek current = ring.current();
    int rewrapped = 0;
    int alreadyCurrent = 0;
    List<String> failedTenants = new ArrayList<>();
    int failed = 0;
    for (String tenantId : store.tenantsWithDeks()) {
      ReadWriteLock lock = lockFor(tenantId);
      lock.writeLock().lock();
      try {
        for (TenantDekRecord dek : store.deks(tenantId)) {
          if (dek.kekId().equals(current.id())) {
            alreadyCurrent++;
            continue;
          }
          byte[] plainDek;
          try {
            plainDek = DekWrapper.unwrap(ring.require(dek.kekId()), dek.wrappedDek());
          } catch (VaultException e) {
            log.warn("KEK rotation: tenant '{}' DEK v{} left under KEK '{}': {}",
                tenantId, dek.dekVersion(), dek.kekId(), e.getMessage());
            failed++;
            if (!failedTenants.contains(tenantId)) {
              failedTenants.add(tenantId);
            }
            continue;
          }
          try {
            store.putDek(dek.withWrappedDek(DekWrapper.wrap(current, plainDek)));
            rewrapped++;
          } finally {
            Arrays.fill(plainDek, (byte) 0);
          }
        }
      } finally {
        lock.writeLock().unlock();
      }
    }
    return new KekRotationResult(rewrapped, alreadyCurrent, failed, failedTenants);
  }

  /**
   * Moves every secret of the tenant to a new DEK (on suspected compromise, or near the nonce budget), then
   * deletes the DEKs no secret uses any more. Safe to re-run after an interruption: the re-run finishes the
   * move under yet another new DEK.
   */
  public DekRotationResult rotateDek(String tenantId) {
    validateId("tenantId", tenantId);
    ReadWriteLock lock = lockFor(tenantId);
    lock.writeLock().lock();
    try {
      return rotateDekLocked(tenantId);
    } finally {
      lock.writeLock().unlock();
    }
  }

  // --- helpers (callers hold the tenant lock) ---

  private SecretMetadata put(String tenantId, String projectId, String name, byte[] plaintext, int charLength) {
    validateId("tenantId", tenantId);
    validateId("name", name);
    String project = normaliseProject(projectId);
    ReadWriteLock lock = lockFor(tenantId);
    lock.writeLock().lock();
    try {
      TenantDekRecord dek = currentDek(tenantId);
      if (dek == null) {
        dek = newDek(tenantId, 1);
      } else if (dek.encryptionCount() + 1 > maxEncryptionsPerDek) {
        log.info("tenant '{}' DEK v{} reached {} encryptions: rotating", tenantId, dek.dekVersion(),
            dek.encryptionCount());
        rotateDekLocked(tenantId);
        dek = currentDek(tenantId);
      }
      SecretContext context = new SecretContext(tenantId, project, name);
      SecretRecord sealed = seal(dek, 1, List.of(context), List.of(plaintext)).get(0);
      Instant now = clock.instant();
      Instant createdAt = store.secret(tenantId, project, name).map(StoredSecret::createdAt).orElse(now);
      store.putSecret(new StoredSecret(tenantId, project, name, sealed, createdAt, now));
      String suffix = charLength >= MIN_LENGTH_FOR_SUFFIX ? suffix(plaintext) : "";
      return new SecretMetadata(name, project.isEmpty() ? SecretScope.TENANT : SecretScope.PROJECT, project,
          createdAt, now, dek.dekVersion(), dek.kekId(), suffix);
    } finally {
      lock.writeLock().unlock();
    }
  }

  private DekRotationResult rotateDekLocked(String tenantId) {
    // 1. A new DEK, one version above every existing one, wrapped under the current KEK.
    Map<Integer, TenantDekRecord> deks = deksByVersion(tenantId);
    int newVersion = deks.keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
    TenantDekRecord fresh = newDek(tenantId, newVersion);
    deks.put(newVersion, fresh);

    // 2. Re-seal every secret not yet under it (the DEK counter is reserved for all of them first).
    List<StoredSecret> toMove = new ArrayList<>();
    for (StoredSecret row : store.secrets(tenantId)) {
      if (row.record().dekVersion() != newVersion) {
        toMove.add(row);
      }
    }
    Map<Integer, byte[]> unwrapped = new HashMap<>();
    List<byte[]> plaintexts = new ArrayList<>();
    try {
      for (StoredSecret row : toMove) {
        plaintexts.add(open(row, deks, unwrapped));
      }
      List<SecretRecord> sealed =
          seal(fresh, toMove.size(), toMove.stream().map(StoredSecret::context).toList(), plaintexts);
      for (int i = 0; i < toMove.size(); i++) {
        store.putSecret(toMove.get(i).withRecord(sealed.get(i)));
      }
    } finally {
      plaintexts.forEach(p -> Arrays.fill(p, (byte) 0));
      unwrapped.values().forEach(k -> Arrays.fill(k, (byte) 0));
    }

    // 3. Drop DEKs that no secret references any more.
    for (int version : deks.keySet()) {
      if (version != newVersion) {
        store.deleteDek(tenantId, version);
      }
    }
    return new DekRotationResult(tenantId, newVersion, toMove.size());
  }

  /** Reserves {@code count} encryptions on {@code dek}, persists the counter, then seals each plaintext. */
  private List<SecretRecord> seal(
      TenantDekRecord dek, int count, List<SecretContext> contexts, List<byte[]> plaintexts) {
    long after = dek.encryptionCount() + count;
    if (after > maxEncryptionsPerDek) {
      throw new VaultException("tenant '" + dek.tenantId() + "' DEK v" + dek.dekVersion() + ": " + count
          + " more encryptions would exceed maxEncryptionsPerDek " + maxEncryptionsPerDek);
    }
    store.putDek(dek.withEncryptionCount(after));
    byte[] plainDek = DekWrapper.unwrap(keks.require(dek.kekId()), dek.wrappedDek());
    try {
      List<SecretRecord> sealed = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        sealed.add(cipher.encrypt(plainDek, dek.dekVersion(), contexts.get(i), plaintexts.get(i)));
      }
      return sealed;
    } finally {
      Arrays.fill(plainDek, (byte) 0);
    }
  }

  /** Decrypts a row; {@code unwrapped} (nullable) caches plain DEKs across rows, and the caller wipes it. */
  private byte[] open(StoredSecret row, Map<Integer, TenantDekRecord> deks, Map<Integer, byte[]> unwrapped) {
    int version = row.record().dekVersion();
    TenantDekRecord dek = deks.get(version);
    if (dek == null) {
      throw new VaultException(row.context().describe() + ": sealed under DEK v" + version
          + ", which the tenant no longer has");
    }
    byte[] plainDek = unwrapped == null ? null : unwrapped.get(version);
    boolean cached = plainDek != null;
    if (!cached) {
      plainDek = DekWrapper.unwrap(keks.require(dek.kekId()), dek.wrappedDek());
      if (unwrapped != null) {
        unwrapped.put(version, plainDek);
        cached = true;
      }
    }
    try {
      return cipher.decrypt(plainDek, row.context(), row.record());
    } finally {
      if (!cached) {
        Arrays.fill(plainDek, (byte) 0);
      }
    }
  }

  private String suffixOf(StoredSecret row, Map<Integer, TenantDekRecord> deks, Map<Integer, byte[]> unwrapped) {
    byte[] plaintext;
    try {
      plaintext = open(row, deks, unwrapped);
    } catch (VaultException e) {
      log.warn("listing secrets: {}", e.getMessage());
      return "";
    }
    try {
      return StandardCharsets.UTF_8.decode(ByteBuffer.wrap(plaintext)).length() >= MIN_LENGTH_FOR_SUFFIX
          ? suffix(plaintext)
          : "";
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /** The last four code points of UTF-8 {@code plaintext}, decoding only its tail. */
  private static String suffix(byte[] plaintext) {
    // 4 characters take at most 16 UTF-8 bytes; skip continuation bytes to start on a character boundary.
    int from = Math.max(0, plaintext.length - 16);
    while (from < plaintext.length && (plaintext[from] & 0xC0) == 0x80) {
      from++;
    }
    String tail = new String(plaintext, from, plaintext.length - from, StandardCharsets.UTF_8);
    int codePoints = tail.codePointCount(0, tail.length());
    return codePoints < 4 ? "" : tail.substring(tail.offsetByCodePoints(tail.length(), -4));
  }

  private TenantDekRecord newDek(String tenantId, int version) {
    byte[] plainDek = DekWrapper.newDek(random);
    try {
      TenantDekRecord dek = new TenantDekRecord(
          tenantId, version, DekWrapper.wrap(keks.current(), plainDek), clock.instant(), 0);
      store.putDek(dek);
      return dek;
    } finally {
      Arrays.fill(plainDek, (byte) 0);
    }
  }

  private TenantDekRecord currentDek(String tenantId) {
    return store.deks(tenantId).stream()
        .max(Comparator.comparingInt(TenantDekRecord::dekVersion))
        .orElse(null);
  }

  private Map<Integer, TenantDekRecord> deksByVersion(String tenantId) {
    Map<Integer, TenantDekRecord> map = new HashMap<>();
    for (TenantDekRecord dek : store.deks(tenantId)) {
      map.put(dek.dekVersion(), dek);
    }
    return map;
  }

  private ReadWriteLock lockFor(String tenantId) {
    return tenantLocks.computeIfAbsent(tenantId, t -> new ReentrantReadWriteLock());
  }

  private static String normaliseProject(String projectId) {
    if (projectId == null || projectId.isEmpty()) {
      return "";
    }
    validateId("projectId", projectId);
    return projectId;
  }

  private static void validateId(String what, String value) {
    Objects.requireNonNull(value, what);
    if (!ID.matcher(value).matches()) {
      throw new IllegalArgumentException(what + ": '" + value + "' (expected: 1-128 of [A-Za-z0-9._:-])");
    }
  }
}
