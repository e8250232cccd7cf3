package dev.tollgate.core.store;

import dev.tollgate.core.auth.jwt.JwtVerifierConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The embedded {@link StateStore}: one SQLite database in WAL mode under the configured data
 * directory, created on first start. One connection, used by one dedicated thread
 * ({@code tollgate-store}); methods are also synchronized so a stray caller cannot interleave.
 */
public final class SqliteStateStore implements StateStore {

  private static final String[] SCHEMA = {
      "CREATE TABLE IF NOT EXISTS tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL, plan TEXT NOT NULL,"
          + " overage INTEGER NOT NULL DEFAULT 0, overrides TEXT NOT NULL DEFAULT '{}', created_at INTEGER NOT NULL)",
      "CREATE TABLE IF NOT EXISTS quota_counters (key TEXT PRIMARY KEY, used INTEGER NOT NULL)",
      "CREATE TABLE IF NOT EXISTS projects (tenant_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL,"
          + " created_at INTEGER NOT NULL, PRIMARY KEY (tenant_id, id))",
      "CREATE TABLE IF NOT EXISTS api_keys (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL,"
          + " project_id TEXT NOT NULL, name TEXT NOT NULL, prefix TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,"
          + " created_at INTEGER NOT NULL, revoked_at INTEGER NOT NULL DEFAULT 0)",
      "CREATE INDEX IF NOT EXISTS api_keys_tenant ON api_keys (tenant_id)",
      "CREATE TABLE IF NOT EXISTS jwt_configs (tenant_id TEXT PRIMARY KEY, issuer TEXT NOT NULL UNIQUE,"
          + " config TEXT NOT NULL, updated_at INTEGER NOT NULL)",
  };

  private final Connection connection;
  /**
   * The statements of the connection, by their SQL, prepared once: SQLite parses and plans a statement
   * when it is prepared, which cost more than running the small ones (a quota lease read and update).
   * The store's SQL is a fixed set of strings. Guarded by this.
   */
  private final Map<String, PreparedStatement> statements = new HashMap<>();
  private final ExecutorService executor;
  private final AtomicLong writes = new AtomicLong();

  private SqliteStateStore(Connection connection) {
    this.connection = connection;
    this.executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "tollgate-store");
      t.setDaemon(true);
      return t;
    });
  }

  /** Opens (creating if needed) {@code dataDir/tollgate.db}. Blocking; call at startup. */
  public static SqliteStateStore open(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("tollgate.db"));
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=NORMAL");
        s.execute("PRAGMA busy_timeout=5000");
        for (String ddl : SCHEMA) {
          s.execute(ddl);
        }
      }
      return new SqliteStateStore(c);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create data directory " + dataDir, e);
    } catch (SQLException e) {
      throw new StoreException("cannot open the embedded store in " + dataDir, e);
    }
  }

  @Override
  public ExecutorService executor() {
    return executor;
  }

  @Override
  public synchronized boolean createTenant(TenantRecord tenant) {
    return insert("INSERT OR IGNORE INTO tenants (id, name, plan, overage, overrides, created_at) VALUES (?,?,?,?,?,?)",
        tenant.id(), tenant.name(), tenant.plan(), tenant.overage() ? 1 : 0, toJson(tenant.overrides()),
        tenant.createdAtMillis()) == 1;
  }

  @Override
  public synchronized Optional<TenantRecord> tenant(String id) {
    return one(TENANT_COLUMNS + " WHERE id = ?", SqliteStateStore::tenant, id);
  }

  @Override
  public synchronized List<TenantRecord> tenants() {
    return many(TENANT_COLUMNS + " ORDER BY id", SqliteStateStore::tenant);
  }

  @Override
  public synchronized boolean updateTenant(TenantRecord tenant) {
    return insert("UPDATE tenants SET plan = ?, overage = ?, overrides = ? WHERE id = ?",
        tenant.plan(), tenant.overage() ? 1 : 0, toJson(tenant.overrides()), tenant.id()) == 1;
  }

  @Override
  public synchronized long tryTakeLease(String counterKey, long wanted, long hardLimit) {
    long used = used(counterKey);
    long grant = Math.max(0, Math.min(wanted, hardLimit - used));
    if (grant > 0) {
      insert("INSERT INTO quota_counters (key, used) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET used = used + ?",
          counterKey, grant, grant);
    }
    return grant;
  }

  @Override
  public synchronized void returnUnused(String counterKey, long units) {
    if (units > 0) {
      insert("UPDATE quota_counters SET used = MAX(0, used - ?) WHERE key = ?", units, counterKey);
    }
  }

  @Override
  public synchronized long used(String counterKey) {
    return one("SELECT used FROM quota_counters WHERE key = ?", rs -> rs.getLong(1), counterKey).orElse(0L);
  }

  @Override
  public synchronized boolean createProject(ProjectRecord project) {
    return insert("INSERT OR IGNORE INTO projects (tenant_id, id, name, created_at) VALUES (?,?,?,?)",
        project.tenantId(), project.id(), project.name(), project.createdAtMillis()) == 1;
  }

  @Override
  public synchronized Optional<ProjectRecord> project(String tenantId, String projectId) {
    return one("SELECT tenant_id, id, name, created_at FROM projects WHERE tenant_id = ? AND id = ?",
        SqliteStateStore::project, tenantId, projectId);
  }

  @Override
  public synchronized List<ProjectRecord> projects(String tenantId) {
    return many("SELECT tenant_id, id, name, created_at FROM projects WHERE tenant_id = ? ORDER BY id",
        SqliteStateStore::project, tenantId);
  }

  @Override
  public synchronized void createKey(ApiKeyRecord key) {
    insert("INSERT INTO api_keys (id, tenant_id, project_id, name, prefix, hash, created_at, revoked_at)"
            + " VALUES (?,?,?,?,?,?,?,?)",
        key.id(), key.tenantId(), key.projectId(), key.name(), key.prefix(), key.hash(),
        key.createdAtMillis(), key.revokedAtMillis());
  }

  @Override
  public synchronized Optional<ApiKeyRecord> keyByHash(String hash) {
    return one(KEY_COLUMNS + " WHERE hash = ?", SqliteStateStore::key, hash);
  }

  @Override
  public synchronized Optional<ApiKeyRecord> key(String tenantId, String keyId) {
    return one(KEY_COLUMNS + " WHERE tenant_id = ? AND id = ?", SqliteStateStore::key, tenantId, keyId);
  }

  @Override
  public synchronized List<ApiKeyRecord> keys(String tenantId) {
    return many(KEY_COLUMNS + " WHERE tenant_id = ? ORDER BY created_at, id", SqliteStateStore::key, tenantId);
  }

  @Override
  public synchronized Optional<ApiKeyRecord> revokeKey(String tenantId, String keyId, long nowMillis) {
    insert("UPDATE api_keys SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND revoked_at = 0",
        nowMillis, tenantId, keyId);
    return key(tenantId, keyId);
  }

  @Override
  public synchronized Optional<JwtVerifierConfig> jwtConfig(String tenantId) {
    return one("SELECT config FROM jwt_configs WHERE tenant_id = ?", rs -> readJwtConfig(rs.getString(1)), tenantId);
  }

  @Override
  public synchronized Optional<JwtVerifierConfig> jwtConfigByIssuer(String issuer) {
    return one("SELECT config FROM jwt_configs WHERE issuer = ?", rs -> readJwtConfig(rs.getString(1)), issuer);
  }

  @Override
  public synchronized boolean putJwtConfig(JwtVerifierConfig config) {
    // the UNIQUE index is the backstop; checking first keeps a conflict an answer, not an exception
    if (one("SELECT tenant_id FROM jwt_configs WHERE issuer = ? AND tenant_id <> ?", rs -> rs.getString(1),
        config.issuer(), config.tenantId()).isPresent()) {
      return false;
    }
    insert("INSERT INTO jwt_configs (tenant_id, issuer, config, updated_at) VALUES (?,?,?,?)"
            + " ON CONFLICT(tenant_id) DO UPDATE SET issuer = excluded.issuer, config = excluded.config,"
            + " updated_at = excluded.updated_at",
        config.tenantId(), config.issuer(), toJson(config), System.currentTimeMillis());
    return true;
  }

  @Override
  public synchronized boolean deleteJwtConfig(String tenantId) {
    return insert("DELETE FROM jwt_configs WHERE tenant_id = ?", tenantId) == 1;
  }

  @Override
  public synchronized boolean ping() {
    try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
      return rs.next();
    } catch (SQLException e) {
      return false;
    }
  }

  /** Statements prepared and kept so far (for tests). */
  synchronized int preparedStatements() {
    return statements.size();
  }

  @Override
  public long writeCount() {
    return writes.get();
  }

  /**
   * Runs {@code work} with the store's connection, serialised with every other store call, for the
   * stores of other subsystems (ledger, vault, audit) that keep their tables in the same database. A
   * unit of work that changes state should call {@link #countWrite()} once per statement it commits.
   * Blocking: call it on {@link #executor()}.
   */
  public synchronized <T> T withConnection(SqlWork<T> work) {
    try {
      return work.run(connection);
    } catch (SQLException e) {
      throw new StoreException("store call failed", e);
    }
  }

  /** Counts one state-changing statement made through {@link #withConnection}. */
  public void countWrite() {
    writes.incrementAndGet();
  }

  /** Work done with the store's connection. */
  @FunctionalInterface
  public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
  }

  @Override
  public void close() {
    executor.shutdown();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      try {
        for (PreparedStatement ps : statements.values()) {
          ps.close();
        }
        statements.clear();
        connection.close();
      } catch (SQLException e) {
        throw new StoreException("cannot close the embedded store", e);
      }
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
  private static final String TENANT_COLUMNS = "SELECT id, name, plan, overage, overrides, created_at FROM tenants";

  @SuppressWarnings("unchecked")
  private static TenantRecord tenant(ResultSet rs) throws SQLException {
    java.util.Map<String, Object> overrides;
    try {
      overrides = JSON.readValue(rs.getString(5), java.util.Map.class);
    } catch (java.io.IOException e) {
      throw new SQLException("tenant " + rs.getString(1) + ": unreadable overrides", e);
    }
    return new TenantRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4) == 1, overrides,
        rs.getLong(6));
  }

  private static String toJson(java.util.Map<String, Object> map) {
    try {
      return JSON.writeValueAsString(map);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("overrides: not serialisable", e);
    }
  }

  private static String toJson(JwtVerifierConfig config) {
    com.fasterxml.jackson.databind.node.ObjectNode out = JSON.createObjectNode();
    out.put("tenantId", config.tenantId());
    out.put("issuer", config.issuer());
    config.audiences().stream().sorted().forEach(out.putArray("audiences")::add);
    out.put("jwksUri", config.jwksUri() == null ? null : config.jwksUri().toString());
    out.put("staticKey", config.staticKey());
    config.algorithms().stream().sorted().forEach(out.putArray("algorithms")::add);
    out.put("clockSkewSeconds", config.clockSkewSeconds());
    out.put("tenantClaim", config.tenantClaim());
    out.put("projectClaim", config.projectClaim());
    out.put("subjectClaim", config.subjectClaim());
    out.put("jwksCacheTtlSeconds", config.jwksCacheTtlSeconds());
    out.put("jwksRefetchMinIntervalSeconds", config.jwksRefetchMinIntervalSeconds());
    return out.toString();
  }

  private static JwtVerifierConfig readJwtConfig(String json) throws SQLException {
    try {
      com.fasterxml.jackson.databind.JsonNode in = JSON.readTree(json);
      java.util.Set<String> audiences = new java.util.HashSet<>();
      in.get("audiences").forEach(a -> audiences.add(a.asText()));
      java.util.Set<String> algorithms = new java.util.HashSet<>();
      in.get("algorithms").forEach(a -> algorithms.add(a.asText()));
      return new JwtVerifierConfig(in.get("tenantId").asText(), in.get("issuer").asText(), audiences,
          in.get("jwksUri").isNull() ? null : java.net.URI.create(in.get("jwksUri").asText()),
          in.get("staticKey").isNull() ? null : in.get("staticKey").asText(), algorithms,
          in.get("clockSkewSeconds").asInt(), textOrNull(in, "tenantClaim"), textOrNull(in, "projectClaim"),
          in.get("subjectClaim").asText(), in.get("jwksCacheTtlSeconds").asInt(),
          in.get("jwksRefetchMinIntervalSeconds").asInt());
    } catch (java.io.IOException | RuntimeException e) {
      // the message names no key material: the row may hold an HMAC secret
      throw new SQLException("jwt_configs: unreadable row (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static String textOrNull(com.fasterxml.jackson.databind.JsonNode node, String field) {
    com.fasterxml.jackson.databind.JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static final String KEY_COLUMNS =
      "SELECT id, tenant_id, project_id, name, prefix, hash, created_at, revoked_at FROM api_keys";

  private static ApiKeyRecord key(ResultSet rs) throws SQLException {
    return new ApiKeyRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
        rs.getString(5), rs.getString(6), rs.getLong(7), rs.getLong(8));
  }

  private static ProjectRecord project(ResultSet rs) throws SQLException {
    return new ProjectRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4));
  }

  private int insert(String sql, Object... args) {
    try {
      int changed = prepare(sql, args).executeUpdate();
      if (changed > 0) {
        writes.incrementAndGet();
      }
      return changed;
    } catch (SQLException e) {
      throw new StoreException("store write failed", e);
    }
  }

  private <T> Optional<T> one(String sql, RowMapper<T> mapper, Object... args) {
    List<T> rows = many(sql, mapper, args);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
  }

  private <T> List<T> many(String sql, RowMapper<T> mapper, Object... args) {
    try (ResultSet rs = prepare(sql, args).executeQuery()) {
      List<T> out = new ArrayList<>();
      while (rs.next()) {
        out.add(mapper.map(rs));
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("store read failed", e);
    }
  }

  /** The statement for {@code sql} with {@code args} bound; it stays open, kept for the next call. */
  private PreparedStatement prepare(String sql, Object... args) throws SQLException {
    PreparedStatement ps = statements.get(sql);
    if (ps == null) {
      ps = connection.prepareStatement(sql);
      statements.put(sql, ps);
    } else {
      ps.clearParameters();
    }
    for (int i = 0; i < args.length; i++) {
      ps.setObject(i + 1, args[i]);
    }
    return ps;
  }

  @FunctionalInterface
  private interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }
}
