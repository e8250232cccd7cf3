package dev.tollgate.core.ledger;

import dev.tollgate.core.store.SqliteStateStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Reads the usage ledger table ({@code usage_ledger}, one row per tenant, project, key, route, provider,
 * model and UTC day) that {@link UsageAggregator} writes behind. Blocking: call it off the event loop
 * (admin API threads, the store executor); calls are serialised with every other store call.
 */
public final class UsageLedger {

  /** The metric columns, in {@link UsageTotals} component order. */
  static final String[] METRIC_COLUMNS = {
      "requests", "errors", "billable_units", "overage_units", "input_tokens", "output_tokens",
      "cached_input_tokens", "cache_creation_input_tokens", "reasoning_tokens", "audio_input_tokens",
      "audio_output_tokens", "cost_micro_usd", "unpriced_requests", "request_bytes", "response_bytes"};

  /** Moves the checkpoint forward, never back. */
  static final String CHECKPOINT_SQL = "INSERT INTO usage_ledger_checkpoint (id, journal_seq) VALUES (1, ?)"
      + " ON CONFLICT (id) DO UPDATE SET journal_seq = MAX(journal_seq, excluded.journal_seq)";

  private static final String[] SCHEMA = {
      "CREATE TABLE IF NOT EXISTS usage_ledger (tenant_id TEXT NOT NULL, project_id TEXT NOT NULL,"
          + " key_id TEXT NOT NULL, route TEXT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL,"
          + " day TEXT NOT NULL, " + metricColumnsDdl()
          + " PRIMARY KEY (tenant_id, day, project_id, key_id, route, provider, model))",
      // One row: the highest journal sequence number whose record the ledger has absorbed.
      "CREATE TABLE IF NOT EXISTS usage_ledger_checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1),"
          + " journal_seq INTEGER NOT NULL)",
  };

  private final SqliteStateStore store;

  /** Creates the ledger tables if they do not exist. Blocking. */
  public UsageLedger(SqliteStateStore store) {
    this.store = Objects.requireNonNull(store, "store");
    store.withConnection(c -> {
      try (Statement s = c.createStatement()) {
        for (String ddl : SCHEMA) {
          s.execute(ddl);
        }
      }
      return null;
    });
  }

  /**
   * Totals for {@code tenantId} from {@code fromDay} to {@code toDay} (UTC days, both inclusive), one
   * row per distinct combination of the {@code groupBy} dimensions, ordered by them; with an empty
   * {@code groupBy}, one row of totals. No rows when nothing was recorded in the range.
   *
   * @throws IllegalArgumentException when {@code fromDay} is after {@code toDay}
   */
  public List<UsageRow> query(String tenantId, LocalDate fromDay, LocalDate toDay, Set<UsageDimension> groupBy) {
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(fromDay, "fromDay");
    Objects.requireNonNull(toDay, "toDay");
    Objects.requireNonNull(groupBy, "groupBy");
    if (fromDay.isAfter(toDay)) {
      throw new IllegalArgumentException("fromDay: " + fromDay + " (expected: <= toDay " + toDay + ")");
    }
    Set<UsageDimension> dims = groupBy.isEmpty() ? EnumSet.noneOf(UsageDimension.class) : EnumSet.copyOf(groupBy);
    StringJoiner select = new StringJoiner(", ");
    StringJoiner group = new StringJoiner(", ");
    for (UsageDimension d : dims) {
      select.add(d.column());
      group.add(d.column());
    }
    for (String m : METRIC_COLUMNS) {
      select.add("SUM(" + m + ")");
    }
    // Column names come from the enum and METRIC_COLUMNS only; values are bound parameters.
    // Column names come from the enum and METRIC_COLUMNS only; values are bound parameters.
    String sql = "SELECT " + select + " FROM usage_ledger WHERE tenant_id = ? AND day >= ? AND day <= ?"
        + (dims.isEmpty() ? "" : " GROUP BY " + group + " ORDER BY " + group);
    return store.withConnection(c -> {
      List<UsageRow> rows = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, tenantId);
        ps.setString(2, fromDay.toString());
        ps.setString(3, toDay.toString());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            // Without GROUP BY an empty range still yields one row, of NULL sums.
            if (dims.isEmpty() && rs.getObject(1) == null) {
              break;
            }
            rows.add(row(tenantId, dims, rs));
          }
        }
      }
      return rows;
    });
  }

  /** The highest journal sequence number the ledger has absorbed (0 when none). Blocking. */
  public long checkpointSeq() {
    return store.withConnection(UsageLedger::checkpointSeq);
  }

  static long checkpointSeq(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT journal_seq FROM usage_ledger_checkpoint WHERE id = 1")) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** The upsert that adds one aggregated row's totals to the ledger. */
  static String upsertSql() {
    StringJoiner columns = new StringJoiner(", ");
    StringJoiner values = new StringJoiner(", ");
    StringJoiner updates = new StringJoiner(", ");
    for (String k : new String[] {"tenant_id", "project_id", "key_id", "route", "provider", "model", "day"}) {
      columns.add(k);
      values.add("?");
    }
    for (String m : METRIC_COLUMNS) {
      columns.add(m);
      values.add("?");
      updates.add(m + " = " + m + " + excluded." + m);
    }
    return "INSERT INTO usage_ledger (" + columns + ") VALUES (" + values + ")"
        + " ON CONFLICT (tenant_id, day, project_id, key_id, route, provider, model) DO UPDATE SET " + updates;
  }

  private static UsageRow row(String tenantId, Set<UsageDimension> dims, ResultSet rs) throws SQLException {
    String[] values = new String[UsageDimension.values().length];
    int col = 1;
    for (UsageDimension d : dims) {
      values[d.ordinal()] = rs.getString(col++);
    }
    long[] metrics = new long[METRIC_COLUMNS.length];
    for (int i = 0; i < metrics.length; i++) {
      metrics[i] = rs.getLong(col++);
    }
    String day = values[UsageDimension.DAY.ordinal()];
    return new UsageRow(tenantId, values[0], values[1], values[2], values[3], values[4],
        day == null ? null : LocalDate.parse(day), UsageTotals.fromArray(metrics));
  }

  private static String metricColumnsDdl() {
    StringBuilder sb = new StringBuilder();
    for (String m : METRIC_COLUMNS) {
      sb.append(m).append(" INTEGER NOT NULL DEFAULT 0,");
    }
    return sb.toString();
  }
}
