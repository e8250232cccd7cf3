package dev.tollgate.core.audit;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One entry of the audit log, chained to its predecessor: {@code hash = SHA-256(prevHash || canonical
 * bytes)}, hashes as 64 lowercase hex characters, the first record's {@code prevHash} being {@link #GENESIS}.
 * Build records with {@link AuditChain}; this type only holds and hashes them.
 *
 * <p>Canonical bytes (big-endian): {@code lp("tollgate.audit.v1") || u64 seq || i64 epochMillis || s(actor)
 * || s(tenantId) || s(action) || s(target) || s(sourceAddress) || s(outcome name)}, where {@code lp(x)} and
 * {@code s(x)} are a u32 UTF-8 byte length then the bytes, and {@code s(null)} is the length 0xFFFFFFFF
 * alone (so null and "" differ). Time enters at millisecond precision, so stores must keep milliseconds.
 */
public record AuditRecord(
    long seq,
    Instant time,
    String actor,
    String tenantId,
    String action,
    String target,
    String sourceAddress,
    AuditOutcome outcome,
    String prevHash,
    String hash) {

  /** The {@code prevHash} of the first record: 32 zero bytes. */
  public static final String GENESIS = "0".repeat(64);

  private static final byte[] LABEL = "tollgate.audit.v1".getBytes(StandardCharsets.UTF_8);
  private static final Pattern HEX_256 = Pattern.compile("[0-9a-f]{64}");
  private static final HexFormat HEX = HexFormat.of();

  public AuditRecord {
    if (seq < 1) {
      throw new IllegalArgumentException("seq: " + seq + " (expected: >= 1)");
    }
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(outcome, "outcome");
    requireHex("prevHash", prevHash);
    requireHex("hash", hash);
  }

  /** Chains {@code event} after a record whose hash is {@code prevHash}. */
  static AuditRecord chained(long seq, Instant time, AuditEvent event, String prevHash) {
    AuditRecord unsigned = new AuditRecord(seq, time, event.actor(), event.tenantId(), event.action(),
        event.target(), event.sourceAddress(), event.outcome(), prevHash, GENESIS);
    return unsigned.withHash(unsigned.computeHash());
  }

  /** The canonical serialisation that the hash covers (everything but {@code hash}, {@code prevHash} aside). */
  public byte[] canonicalBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    writeString(out, LABEL);
    out.writeBytes(ByteBuffer.allocate(16).putLong(seq).putLong(time.toEpochMilli()).array());
    writeString(out, actor);
    writeString(out, tenantId);
    writeString(out, action);
    writeString(out, target);
    writeString(out, sourceAddress);
    writeString(out, outcome.name());
    return out.toByteArray();
  }

  /** SHA-256 over {@code prevHash || canonicalBytes()}, as lowercase hex. */
  public String computeHash() {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      sha256.update(HEX.parseHex(prevHash));
      sha256.update(canonicalBytes());
      return HEX.formatHex(sha256.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  AuditRecord withHash(String newHash) {
    return new AuditRecord(seq, time, actor, tenantId, action, target, sourceAddress, outcome, prevHash, newHash);
  }

  private static void writeString(ByteArrayOutputStream out, String value) {
    if (value == null) {
      out.writeBytes(ByteBuffer.allocate(4).putInt(-1).array());
      return;
    }
    writeString(out, value.getBytes(StandardCharsets.UTF_8));
  }

  private static void writeString(ByteArrayOutputStream out, byte[] bytes) {
    out.writeBytes(ByteBuffer.allocate(4).putInt(bytes.length).array());
    out.writeBytes(bytes);
  }

  private static void requireHex(String what, String value) {
    Objects.requireNonNull(value, what);
    if (!HEX_256.matcher(value).matches()) {
      throw new IllegalArgumentException(what + ": '" + value + "' (expected: 64 lowercase hex characters)");
    }
  }
}
