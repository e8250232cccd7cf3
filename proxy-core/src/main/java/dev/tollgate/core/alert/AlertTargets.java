package dev.tollgate.core.alert;

import dev.tollgate.core.store.SqliteStateStore;
import java.net.URI;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Optional;

/**
 * Each tenant's alert webhook (URL, signing secret, Slack format) in the embedded store. The secret is
 * never returned by the admin API. Blocking; call it on the store's executor.
 */
public final class AlertTargets {

  private final SqliteStateStore store;

  public AlertTargets(SqliteStateStore store) {
    this.store = store;
    store.withConnection(c -> {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS alert_targets (tenant_id TEXT PRIMARY KEY, url TEXT NOT NULL,"
            + " secret TEXT NOT NULL, slack INTEGER NOT NULL)");
      }
      return null;
    });
  }

  public Optional<WebhookTarget> get(String tenantId) {
    return store.withConnection(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT url, secret, slack FROM alert_targets WHERE tenant_id = ?")) {
        ps.setString(1, tenantId);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(new WebhookTarget(URI.create(rs.getString(1)), rs.getString(2), rs.getInt(3) == 1))
              : Optional.empty();
        }
      }
    });
  }

  public void put(String tenantId, WebhookTarget target) {
    store.withConnection(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO alert_targets (tenant_id, url, secret, slack)"
          + " VALUES (?,?,?,?) ON CONFLICT(tenant_id) DO UPDATE SET url = excluded.url, secret = excluded.secret,"
          + " slack = excluded.slack")) {
        ps.setString(1, tenantId);
        ps.setString(2, target.url().toString());
        ps.setString(3, target.secret());
        ps.setInt(4, target.slack() ? 1 : 0);
        ps.executeUpdate();
        store.countWrite();
      }
      return null;
    });
  }

  public boolean delete(String tenantId) {
    return store.withConnection(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM alert_targets WHERE tenant_id = ?")) {
        ps.setString(1, tenantId);
        boolean deleted = ps.executeUpdate() > 0;
        if (deleted) {
          store.countWrite();
        }
        return deleted;
      }
    });
  }
}
