package dev.tollgate.core.plan;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The plan catalogue in force, swapped atomically when the config reloads. Stages read
 * {@link #current()} once per request.
 */
public final class PlanCatalogueHolder {

  private final AtomicReference<PlanCatalogue> current;

  public PlanCatalogueHolder(PlanCatalogue initial) {
    this.current = new AtomicReference<>(Objects.requireNonNull(initial, "initial"));
  }

  public PlanCatalogue current() {
    return current.get();
  }

  public void swap(PlanCatalogue next) {
    current.set(Objects.requireNonNull(next, "next"));
  }
}
