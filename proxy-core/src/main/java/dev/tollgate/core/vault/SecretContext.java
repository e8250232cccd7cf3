package dev.tollgate.core.vault;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Where a secret belongs: tenant, project ({@code ""} for a tenant-wide secret) and name. Its {@link
 * #aad(int)} is what GCM authenticates, so a ciphertext copied to another row fails to decrypt.
 *
 * <p>AAD layout: {@code lp("tollgate.vault.secret") || u8 formatVersion || lp(tenantId) || lp(projectId)
 * || lp(name) || u32 dekVersion}, where {@code lp(s)} is a big-endian u32 byte length then the UTF-8 bytes.
 */
record SecretContext(String tenantId, String projectId, String name) {

  private static final byte[] LABEL = "tollgate.vault.secret".getBytes(StandardCharsets.UTF_8);

  SecretContext {
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(projectId, "projectId");
    Objects.requireNonNull(name, "name");
  }

  byte[] aad(int dekVersion) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    writeLengthPrefixed(out, LABEL);
    out.write(SecretRecord.FORMAT_VERSION);
    writeLengthPrefixed(out, tenantId.getBytes(StandardCharsets.UTF_8));
    writeLengthPrefixed(out, projectId.getBytes(StandardCharsets.UTF_8));
    writeLengthPrefixed(out, name.getBytes(StandardCharsets.UTF_8));
    out.writeBytes(ByteBuffer.allocate(4).putInt(dekVersion).array());
    return out.toByteArray();
  }

  String describe() {
    return "tenant '" + tenantId + "'" + (projectId.isEmpty() ? "" : ", project '" + projectId + "'")
        + ", secret '" + name + "'";
  }

  private static void writeLengthPrefixed(ByteArrayOutputStream out, byte[] bytes) {
    out.writeBytes(ByteBuffer.allocate(4).putInt(bytes.length).array());
    out.writeBytes(bytes);
  }
}
