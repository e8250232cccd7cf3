package dev.tollgate.core.config;

/**
 * Which plan catalogue governs tenants (a file under {@code config/plans/}). The catalogue is reloaded
 * with the config; a reload that drops a plan some tenant is on is refused.
 */
public record PlansConfig(String catalogueFile) {

  public PlansConfig {
    Checks.notBlank("plans.catalogueFile", catalogueFile);
  }
}
