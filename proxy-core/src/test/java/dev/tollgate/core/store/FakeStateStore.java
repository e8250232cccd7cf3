package dev.tollgate.core.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory {@link StateStore} for unit tests whose executor only queues tasks: a test decides
 * when the "store thread" runs them ({@link #runPendingTasks()}), so async paths are deterministic.
 */
public final class FakeStateStore implements StateStore {

  private final Map<String, ApiKeyRecord> keysByHash = new ConcurrentHashMap<>();
  private final Map<String, TenantRecord> tenants = new ConcurrentHashMap<>();
  private final Map<String, Long> counters = new ConcurrentHashMap<>();
  private final QueueExecutor executor = new QueueExecutor();
  private volatile boolean failLookups;

  /** Stores an active key for {@code tenantId}/{@code projectId} under {@code hash}. */
  public ApiKeyRecord addKey(String id, String tenantId, String projectId, String hash) {
    ApiKeyRecord key = new ApiKeyRecord(id, tenantId, projectId, "test", "prefix00", hash, 1L, 0L);
    keysByHash.put(hash, key);
    tenants.putIfAbsent(tenantId, new TenantRecord(tenantId, tenantId, "free", 1L));
    return key;
  }

  /** Makes {@link #keyByHash} throw, as a broken database would. */
  public void failLookups(boolean fail) {
    this.failLookups = fail;
  }

  /** Runs every queued store task on the calling thread; returns how many ran. */
  public int runPendingTasks() {
    int ran = 0;
    Runnable task;
    while ((task = executor.tasks.poll()) != null) {
      task.run();
      ran++;
    }
    return ran;
  }

  public int pendingTasks() {
    return executor.tasks.size();
  }

  @Override
  public ExecutorService executor() {
    return executor;
  }

  @Override
  public boolean createTenant(TenantRecord tenant) {
    return tenants.putIfAbsent(tenant.id(), tenant) == null;
  }

  @Override
  public Optional<TenantRecord> tenant(String id) {
    return Optional.ofNullable(tenants.get(id));
  }

  @Override
  public Optional<dev.tollgate.core.auth.jwt.JwtVerifierConfig> jwtConfig(String tenantId) {
    return Optional.empty();
  }

  @Override
  public Optional<dev.tollgate.core.auth.jwt.JwtVerifierConfig> jwtConfigByIssuer(String issuer) {
    return Optional.empty();
  }

  @Override
  public boolean putJwtConfig(dev.tollgate.core.auth.jwt.JwtVerifierConfig config) {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean deleteJwtConfig(String tenantId) {
    return false;
  }

  @Override
  public List<TenantRecord> tenants() {
    return List.copyOf(tenants.values());
  }

  @Override
  public boolean updateTenant(TenantRecord tenant) {
    return tenants.replace(tenant.id(), tenant) != null;
  }

  @Override
  public synchronized long tryTakeLease(String counterKey, long wanted, long hardLimit) {
    long used = counters.getOrDefault(counterKey, 0L);
    long grant = Math.max(0, Math.min(wanted, hardLimit - used));
    counters.put(counterKey, used + grant);
    return grant;
  }

  @Override
  public synchronized void returnUnused(String counterKey, long units) {
    counters.computeIfPresent(counterKey, (k, v) -> Math.max(0, v - units));
  }

  @Override
  public long used(String counterKey) {
    return counters.getOrDefault(counterKey, 0L);
  }

  @Override
  public boolean createProject(ProjectRecord project) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Optional<ProjectRecord> project(String tenantId, String projectId) {
    return Optional.empty();
  }

  @Override
  public List<ProjectRecord> projects(String tenantId) {
    return List.of();
  }

  @Override
  public void createKey(ApiKeyRecord key) {
    keysByHash.put(key.hash(), key);
  }

  @Override
  public Optional<ApiKeyRecord> keyByHash(String hash) {
    if (failLookups) {
      throw new StoreException("store read failed", null);
    }
    return Optional.ofNullable(keysByHash.get(hash));
  }

  @Override
  public Optional<ApiKeyRecord> key(String tenantId, String keyId) {
    return keysByHash.values().stream()
        .filter(k -> k.tenantId().equals(tenantId) && k.id().equals(keyId)).findFirst();
  }

  @Override
  public List<ApiKeyRecord> keys(String tenantId) {
    return new ArrayList<>(keysByHash.values());
  }

  @Override
  public Optional<ApiKeyRecord> revokeKey(String tenantId, String keyId, long nowMillis) {
    Optional<ApiKeyRecord> found = key(tenantId, keyId);
    found.ifPresent(k -> keysByHash.put(k.hash(), new ApiKeyRecord(k.id(), k.tenantId(), k.projectId(),
        k.name(), k.prefix(), k.hash(), k.createdAtMillis(), nowMillis)));
    return found.flatMap(k -> Optional.of(keysByHash.get(k.hash())));
  }

  @Override
  public boolean ping() {
    return true;
  }

  @Override
  public long writeCount() {
    return 0;
  }

  @Override
  public void close() {
    executor.tasks.clear();
  }

  private static final class QueueExecutor extends AbstractExecutorService {
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean shutdown;

    @Override
    public synchronized void execute(Runnable command) {
      tasks.add(command);
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdown = true;
      List<Runnable> left = new ArrayList<>(tasks);
      tasks.clear();
      return left;
    }

    @Override
    public boolean isShutdown() {
      return shutdown;
    }

    @Override
    public boolean isTerminated() {
      return shutdown && tasks.isEmpty();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return isTerminated();
    }
  }
}
