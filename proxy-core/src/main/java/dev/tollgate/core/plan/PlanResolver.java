package dev.tollgate.core.plan;

import dev.tollgate.core.store.TenantRecord;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A tenant's effective plan: the catalogue's plan of that name, with the tenant's overrides applied
 * for custom plans (Enterprise). Memoised per tenant while the catalogue and the tenant record are the
 * same instances, so the hot path neither searches nor re-applies overrides. Thread-safe.
 */
public final class PlanResolver {

  private final PlanCatalogueHolder catalogues;
  private final ConcurrentHashMap<String, Resolved> resolved = new ConcurrentHashMap<>();

  public PlanResolver(PlanCatalogueHolder catalogues) {
    this.catalogues = catalogues;
  }

  public PlanCatalogue catalogue() {
    return catalogues.current();
  }

  /** The tenant's plan, or null when the catalogue has no plan of that name. */
  public Plan planOf(TenantRecord tenant) {
    PlanCatalogue catalogue = catalogues.current();
    Resolved r = resolved.get(tenant.id());
    if (r != null && r.catalogue == catalogue && r.tenant == tenant) {
      return r.plan;
    }
    Plan plan = catalogue.plan(tenant.plan()).orElse(null);
    if (plan != null && plan.custom() && !tenant.overrides().isEmpty()) {
      plan = plan.withOverrides(tenant.overrides());
    }
    if (resolved.size() > 100_000) {
      resolved.clear();
    }
    resolved.put(tenant.id(), new Resolved(catalogue, tenant, plan));
    return plan;
  }

  private record Resolved(PlanCatalogue catalogue, TenantRecord tenant, Plan plan) {
  }
}
