package dev.tollgate.core.store;

import java.util.List;
import java.util.Optional;

/**
 * The gateway's durable state: tenants, projects and API keys (later quota counters, the usage ledger,
 * vault records and the audit log). Every method may block, so callers run them on
 * {@link #executor()}, never on an event loop. Implementations count their writes so that tests and
 * the bench can assert writes per request.
 */
public interface StateStore extends dev.tollgate.core.quota.QuotaStore, AutoCloseable {

  /** The executor on which store calls run (off the event loops). */
  java.util.concurrent.ExecutorService executor();

  /** Inserts a tenant; returns false if the id exists. */
  boolean createTenant(TenantRecord tenant);

  Optional<TenantRecord> tenant(String id);

  List<TenantRecord> tenants();

  /** Updates plan, overage opt-in and overrides; returns false if the tenant does not exist. */
  boolean updateTenant(TenantRecord tenant);

  /** Inserts a project; returns false if the id exists in that tenant. */
  boolean createProject(ProjectRecord project);

  Optional<ProjectRecord> project(String tenantId, String projectId);

  List<ProjectRecord> projects(String tenantId);

  void createKey(ApiKeyRecord key);

  /** The key with this hash, revoked or not. */
  Optional<ApiKeyRecord> keyByHash(String hash);

  Optional<ApiKeyRecord> key(String tenantId, String keyId);

  List<ApiKeyRecord> keys(String tenantId);

  /** Marks the key revoked; returns the updated record, or empty if unknown for that tenant. */
  Optional<ApiKeyRecord> revokeKey(String tenantId, String keyId, long nowMillis);

  /** The tenant's JWT settings, if it accepts JWTs. */
  Optional<dev.tollgate.core.auth.jwt.JwtVerifierConfig> jwtConfig(String tenantId);

  /** The JWT settings whose issuer is exactly {@code issuer} (issuers are unique across tenants). */
  Optional<dev.tollgate.core.auth.jwt.JwtVerifierConfig> jwtConfigByIssuer(String issuer);

  /**
   * Inserts or replaces the JWT settings of {@code config.tenantId()}; returns false (and changes
   * nothing) when another tenant already uses the issuer.
   */
  boolean putJwtConfig(dev.tollgate.core.auth.jwt.JwtVerifierConfig config);

  /** Removes the tenant's JWT settings; returns false if it had none. */
  boolean deleteJwtConfig(String tenantId);

  /** True when the store answers (for {@code /readyz}). */
  boolean ping();

  /** Store writes (statements that changed state) since start. */
  long writeCount();

  @Override
  void close();
}
