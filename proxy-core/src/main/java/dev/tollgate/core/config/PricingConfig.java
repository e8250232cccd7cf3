package dev.tollgate.core.config;

/** The model price table (USD per million tokens by provider, model and token kind). */
public record PricingConfig(String modelsFile) {

  public PricingConfig {
    Checks.notBlank("pricing.modelsFile", modelsFile);
  }
}
