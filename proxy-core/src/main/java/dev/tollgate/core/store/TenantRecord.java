package dev.tollgate.core.store;

import java.util.Map;
import java.util.Objects;

/**
 * A tenant as stored: id, display name, plan name, whether it opted in to overage (paid plans),
 * per-tenant plan overrides (custom plans such as Enterprise), and creation time.
 */
public record TenantRecord(String id, String name, String plan, boolean overage, Map<String, Object> overrides,
    long createdAtMillis) {

  public TenantRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(plan, "plan");
    overrides = overrides == null ? Map.of() : Map.copyOf(overrides);
  }

  public TenantRecord(String id, String name, String plan, long createdAtMillis) {
    this(id, name, plan, false, Map.of(), createdAtMillis);
  }

  public TenantRecord withSettings(String newPlan, boolean newOverage, Map<String, Object> newOverrides) {
    return new TenantRecord(id, name, newPlan, newOverage, newOverrides, createdAtMillis);
  }
}
