package dev.tollgate.core.alert;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.store.SqliteStateStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link AlertStore} in the embedded SQLite database, in its own tables next to the state store's,
 * so fired alerts survive a restart. Blocking: call it on {@link SqliteStateStore#executor()}.
 */
public final class SqliteAlertStore implements AlertStore {

  private static final String[] SCHEMA = {
      "CREATE TABLE IF NOT EXISTS alerts_fired (tenant_id TEXT NOT NULL, period_key TEXT NOT NULL,"
          + " alert_key TEXT NOT NULL, fired_at INTEGER NOT NULL, PRIMARY KEY (tenant_id, period_key, alert_key))",
      // No key on (event_id, attempt): a delivery resumed after a restart numbers its attempts from 1 again.
      "CREATE TABLE IF NOT EXISTS alert_deliveries (event_id TEXT NOT NULL, tenant_id TEXT NOT NULL,"
          + " attempt INTEGER NOT NULL, status_code INTEGER NOT NULL, outcome TEXT NOT NULL,"
          + " detail TEXT NOT NULL, at_millis INTEGER NOT NULL)",
      "CREATE INDEX IF NOT EXISTS alert_deliveries_event ON alert_deliveries (event_id)",
  };

  private final SqliteStateStore store;

  /** Creates the alert tables if they do not exist. Blocking; call at startup. */
  public SqliteAlertStore(SqliteStateStore store) {
    this.store = requireNonNull(store, "store");
    store.withConnection(connection -> {
      try (Statement s = connection.createStatement()) {
        for (String ddl : SCHEMA) {
          s.execute(ddl);
        }
      }
      return null;
    });
  }

  @Override
  public boolean markFired(String tenantId, String periodKey, String alertKey, long nowMillis) {
    int changed = store.withConnection(connection -> {
      try (PreparedStatement ps = connection.prepareStatement(
          "INSERT OR IGNORE INTO alerts_fired (tenant_id, period_key, alert_key, fired_at) VALUES (?,?,?,?)")) {
        ps.setString(1, tenantId);
        ps.setString(2, periodKey);
        ps.setString(3, alertKey);
        ps.setLong(4, nowMillis);
        return ps.executeUpdate();
      }
    });
    if (changed > 0) {
      store.countWrite();
    }
    return changed > 0;
  }

  @Override
  public boolean hasFired(String tenantId, String periodKey, String alertKey) {
    return store.withConnection(connection -> {
      try (PreparedStatement ps = connection.prepareStatement(
          "SELECT 1 FROM alerts_fired WHERE tenant_id = ? AND period_key = ? AND alert_key = ?")) {
        ps.setString(1, tenantId);
        ps.setString(2, periodKey);
        ps.setString(3, alertKey);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next();
        }
      }
    });
  }

  @Override
  public void recordAttempt(DeliveryAttempt attempt) {
    store.withConnection(connection -> {
      try (PreparedStatement ps = connection.prepareStatement(
          "INSERT INTO alert_deliveries (event_id, tenant_id, attempt, status_code, outcome, detail, at_millis)"
              + " VALUES (?,?,?,?,?,?,?)")) {
        ps.setString(1, attempt.eventId());
        ps.setString(2, attempt.tenantId());
        ps.setInt(3, attempt.attempt());
        ps.setInt(4, attempt.statusCode());
        ps.setString(5, attempt.outcome().name());
        ps.setString(6, attempt.detail());
        ps.setLong(7, attempt.atMillis());
        return ps.executeUpdate();
      }
    });
    store.countWrite();
  }

  @Override
  public List<DeliveryAttempt> attempts(String eventId) {
    return store.withConnection(connection -> {
      try (PreparedStatement ps = connection.prepareStatement(
          "SELECT event_id, tenant_id, attempt, status_code, outcome, detail, at_millis FROM alert_deliveries"
              + " WHERE event_id = ? ORDER BY rowid")) {
        ps.setString(1, eventId);
        try (ResultSet rs = ps.executeQuery()) {
          List<DeliveryAttempt> out = new ArrayList<>();
          while (rs.next()) {
            out.add(new DeliveryAttempt(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getInt(4),
                DeliveryAttempt.Outcome.valueOf(rs.getString(5)), rs.getString(6), rs.getLong(7)));
          }
          return out;
        }
      }
    });
  }

  @Override
  public boolean delivered(String eventId) {
    return store.withConnection(connection -> {
      try (PreparedStatement ps = connection.prepareStatement(
          "SELECT 1 FROM alert_deliveries WHERE event_id = ? AND outcome = 'DELIVERED' LIMIT 1")) {
        ps.setString(1, eventId);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next();
        }
      }
    });
  }
}
