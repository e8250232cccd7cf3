package dev.tollgate.core.vault;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A {@link VaultStore} in process memory, for tests and single-node trials; nothing survives a restart.
 * Thread-safe.
 */
public final class InMemoryVaultStore implements VaultStore {

  private final Map<String, Map<Integer, TenantDekRecord>> deks = new ConcurrentSkipListMap<>();
  private final Map<String, Map<String, StoredSecret>> secrets = new ConcurrentHashMap<>();

  @Override
  public List<TenantDekRecord> deks(String tenantId) {
    Map<Integer, TenantDekRecord> byVersion = deks.get(tenantId);
    return byVersion == null ? List.of() : List.copyOf(byVersion.values());
  }

  @Override
  public List<String> tenantsWithDeks() {
    List<String> tenants = new ArrayList<>();
    deks.forEach((tenant, byVersion) -> {
      if (!byVersion.isEmpty()) {
        tenants.add(tenant);
      }
    });
    return tenants;
  }

  @Override
  public void putDek(TenantDekRecord dek) {
    deks.computeIfAbsent(dek.tenantId(), t -> new ConcurrentSkipListMap<>()).put(dek.dekVersion(), dek);
  }

  @Override
  public void deleteDek(String tenantId, int dekVersion) {
    Map<Integer, TenantDekRecord> byVersion = deks.get(tenantId);
    if (byVersion != null) {
      byVersion.remove(dekVersion);
    }
  }

  @Override
  public Optional<StoredSecret> secret(String tenantId, String projectId, String name) {
    Map<String, StoredSecret> rows = secrets.get(tenantId);
    return rows == null ? Optional.empty() : Optional.ofNullable(rows.get(key(projectId, name)));
  }

  @Override
  public List<StoredSecret> secrets(String tenantId) {
    Map<String, StoredSecret> rows = secrets.get(tenantId);
    if (rows == null) {
      return List.of();
    }
    List<StoredSecret> list = new ArrayList<>(rows.values());
    list.sort(Comparator.comparing(StoredSecret::projectId).thenComparing(StoredSecret::name));
    return list;
  }

  @Override
  public void putSecret(StoredSecret secret) {
    secrets.computeIfAbsent(secret.tenantId(), t -> new ConcurrentHashMap<>())
        .put(key(secret.projectId(), secret.name()), secret);
  }

  @Override
  public boolean deleteSecret(String tenantId, String projectId, String name) {
    Map<String, StoredSecret> rows = secrets.get(tenantId);
    return rows != null && rows.remove(key(projectId, name)) != null;
  }

  private static String key(String projectId, String name) {
    return projectId + '\u0000' + name;
  }
}
