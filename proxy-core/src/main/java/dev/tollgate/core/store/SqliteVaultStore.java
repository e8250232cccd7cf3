package dev.tollgate.core.store;

import dev.tollgate.core.vault.SecretRecord;
import dev.tollgate.core.vault.StoredSecret;
import dev.tollgate.core.vault.TenantDekRecord;
import dev.tollgate.core.vault.VaultStore;
import dev.tollgate.core.vault.WrappedDek;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The vault's rows in the embedded store: wrapped tenant DEKs and encrypted secret records, never a
 * plaintext. Shares {@link SqliteStateStore}'s connection; blocking, call it off the event loop.
 */
public final class SqliteVaultStore implements VaultStore {

  private final SqliteStateStore store;

  public SqliteVaultStore(SqliteStateStore store) {
    this.store = store;
    store.withConnection(c -> {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS vault_deks (tenant_id TEXT NOT NULL, dek_version INTEGER NOT NULL,"
            + " kek_id TEXT NOT NULL, wrapped BLOB NOT NULL, created_at INTEGER NOT NULL,"
            + " encryptions INTEGER NOT NULL, PRIMARY KEY (tenant_id, dek_version))");
        s.execute("CREATE TABLE IF NOT EXISTS vault_secrets (tenant_id TEXT NOT NULL, project_id TEXT NOT NULL,"
            + " name TEXT NOT NULL, record BLOB NOT NULL, created_at INTEGER NOT NULL, rotated_at INTEGER NOT NULL,"
            + " PRIMARY KEY (tenant_id, project_id, name))");
      }
      return null;
    });
  }

  @Override
  public List<TenantDekRecord> deks(String tenantId) {
    return store.withConnection(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT tenant_id, dek_version, kek_id, wrapped, created_at,"
          + " encryptions FROM vault_deks WHERE tenant_id = ?")) {
        ps.setString(1, tenantId);
        List<TenantDekRecord> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new TenantDekRecord(rs.getString(1), rs.getInt(2), new WrappedDek(rs.getString(3), rs.getBytes(4)),
                Instant.ofEpochMilli(rs.getLong(5)), rs.getLong(6)));
          }
        }
        return out;
      }
    });
  }

  @Override
  public List<String> tenantsWithDeks() {
    return store.withConnection(c -> {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT DISTINCT tenant_id FROM vault_deks ORDER BY tenant_id")) {
        List<String> out = new ArrayList<>();
        while (rs.next()) {
          out.add(rs.getString(1));
        }
        return out;
      }
    });
  }

  @Override
  public void putDek(TenantDekRecord dek) {
    update("INSERT INTO vault_deks (tenant_id, dek_version, kek_id, wrapped, created_at, encryptions)"
            + " VALUES (?,?,?,?,?,?) ON CONFLICT(tenant_id, dek_version) DO UPDATE SET kek_id = excluded.kek_id,"
            + " wrapped = excluded.wrapped, encryptions = excluded.encryptions",
        dek.tenantId(), dek.dekVersion(), dek.wrappedDek().kekId(), dek.wrappedDek().bytes(),
        dek.createdAt().toEpochMilli(), dek.encryptionCount());
  }

  @Override
  public void deleteDek(String tenantId, int dekVersion) {
    update("DELETE FROM vault_deks WHERE tenant_id = ? AND dek_version = ?", tenantId, dekVersion);
  }

  @Override
  public Optional<StoredSecret> secret(String tenantId, String projectId, String name) {
    List<StoredSecret> rows = secrets("WHERE tenant_id = ? AND project_id = ? AND name = ?", tenantId, projectId, name);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
  }

  @Override
  public List<StoredSecret> secrets(String tenantId) {
    return secrets("WHERE tenant_id = ? ORDER BY name, project_id", tenantId);
  }

  @Override
  public void putSecret(StoredSecret secret) {
    update("INSERT INTO vault_secrets (tenant_id, project_id, name, record, created_at, rotated_at) VALUES (?,?,?,?,?,?)"
            + " ON CONFLICT(tenant_id, project_id, name) DO UPDATE SET record = excluded.record,"
            + " rotated_at = excluded.rotated_at",
        secret.tenantId(), secret.projectId(), secret.name(), secret.record().toBytes(),
        secret.createdAt().toEpochMilli(), secret.rotatedAt().toEpochMilli());
  }

  @Override
  public boolean deleteSecret(String tenantId, String projectId, String name) {
    return update("DELETE FROM vault_secrets WHERE tenant_id = ? AND project_id = ? AND name = ?",
        tenantId, projectId, name) > 0;
  }

  private List<StoredSecret> secrets(String where, Object... args) {
    return store.withConnection(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT tenant_id, project_id, name, record, created_at,"
          + " rotated_at FROM vault_secrets " + where)) {
        for (int i = 0; i < args.length; i++) {
          ps.setObject(i + 1, args[i]);
        }
        List<StoredSecret> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new StoredSecret(rs.getString(1), rs.getString(2), rs.getString(3),
                SecretRecord.parse(rs.getBytes(4)), Instant.ofEpochMilli(rs.getLong(5)),
                Instant.ofEpochMilli(rs.getLong(6))));
          }
        }
        return out;
      }
    });
  }

  private int update(String sql, Object... args) {
    return store.withConnection(c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < args.length; i++) {
          ps.setObject(i + 1, args[i]);
        }
        int changed = ps.executeUpdate();
        if (changed > 0) {
          store.countWrite();
        }
        return changed;
      }
    });
  }
}
