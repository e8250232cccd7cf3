package dev.tollgate.core.store;

import dev.tollgate.core.audit.AuditOutcome;
import dev.tollgate.core.audit.AuditRecord;
import dev.tollgate.core.audit.AuditStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The audit log's rows in the embedded store: append-only, each with the hash of the one before (the
 * chain is built by {@code AuditChain}). Time is kept in milliseconds, as the hash needs. Blocking.
 */
public final class SqliteAuditStore implements AuditStore {

  private static final String COLUMNS =
      "SELECT seq, at, actor, tenant_id, action, target, source, outcome, prev_hash, hash FROM audit_log";

  private final SqliteStateStore store;

  public SqliteAuditStore(SqliteStateStore store) {
    this.store = store;
    store.withConnection(c -> {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS audit_log (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL,"
            + " actor TEXT NOT NULL, tenant_id TEXT, action TEXT NOT NULL, target TEXT, source TEXT,"
            + " outcome TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)");
        s.execute("CREATE INDEX IF NOT EXISTS audit_log_tenant ON audit_log (tenant_id, at)");
      }
      return null;
    });
  }

  @Override
  public Optional<AuditRecord> last() {
    List<AuditRecord> rows = query(COLUMNS + " ORDER BY seq DESC LIMIT 1");
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
  }

  @Override
  public void append(AuditRecord r) {
    store.withConnection(c -> {
      long expected = last().map(AuditRecord::seq).orElse(0L) + 1;
      if (r.seq() != expected) {
        throw new IllegalStateException("audit seq " + r.seq() + " (expected: " + expected + ")");
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_log (seq, at, actor, tenant_id, action,"
          + " target, source, outcome, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)")) {
        ps.setLong(1, r.seq());
        ps.setLong(2, r.time().toEpochMilli());
        ps.setString(3, r.actor());
        ps.setString(4, r.tenantId());
        ps.setString(5, r.action());
        ps.setString(6, r.target());
        ps.setString(7, r.sourceAddress());
        ps.setString(8, r.outcome().name());
        ps.setString(9, r.prevHash());
        ps.setString(10, r.hash());
        ps.executeUpdate();
        store.countWrite();
      }
      return null;
    });
  }

  @Override
  public List<AuditRecord> range(long fromSeq, int limit) {
    return query(COLUMNS + " WHERE seq >= ? ORDER BY seq LIMIT ?", fromSeq, limit);
  }

  /** Records matching the filters (null = any), seq after {@code afterSeq}, oldest first. */
  public List<AuditRecord> search(String tenantId, Long fromMillis, Long toMillis, String action, long afterSeq,
      int limit) {
    StringBuilder sql = new StringBuilder(COLUMNS).append(" WHERE seq > ?");
    List<Object> args = new ArrayList<>();
    args.add(afterSeq);
    if (tenantId != null) {
      sql.append(" AND tenant_id = ?");
      args.add(tenantId);
    }
    if (fromMillis != null) {
      sql.append(" AND at >= ?");
      args.add(fromMillis);
    }
    if (toMillis != null) {
      sql.append(" AND at < ?");
      args.add(toMillis);
    }
    if (action != null) {
      sql.append(" AND action = ?");
      args.add(action);
    }
    sql.append(" ORDER BY seq LIMIT ?");
    args.add(limit);
    return query(sql.toString(), args.toArray());
  }

  private List<AuditRecord> query(String sql, Object... args) {
    return store.withConnection(c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < args.length; i++) {
          ps.setObject(i + 1, args[i]);
        }
        List<AuditRecord> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(row(rs));
          }
        }
        return out;
      }
    });
  }

  private static AuditRecord row(ResultSet rs) throws SQLException {
    return new AuditRecord(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3), rs.getString(4),
        rs.getString(5), rs.getString(6), rs.getString(7), AuditOutcome.valueOf(rs.getString(8)), rs.getString(9),
        rs.getString(10));
  }
}
