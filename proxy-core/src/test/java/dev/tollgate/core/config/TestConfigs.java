package dev.tollgate.core.config;

import java.util.LinkedHashMap;
import java.util.Map;

/** Config trees for unit tests: the shipped defaults as records, with openai, anthropic and a base-path provider. */
public final class TestConfigs {

  public static final int MAX_BODY_BYTES = 1024;

  private TestConfigs() {
  }

  /** openai (bearer), anthropic (x-api-key, anthropic dialect) and groq (base path /openai), default openai. */
  public static GatewayConfig gateway() {
    Map<String, ProviderConfig> providers = new LinkedHashMap<>();
    providers.put("openai", provider("https://api.openai.com", "bearer", "sk-openai-secret", "openai"));
    providers.put("anthropic", provider("https://api.anthropic.com", "x-api-key", "sk-ant-secret", "anthropic"));
    providers.put("groq", provider("http://127.0.0.1:9999/openai/", "bearer", "gsk-secret", "openai"));
    return gateway(providers, "openai");
  }

  public static GatewayConfig gateway(Map<String, ProviderConfig> providers, String defaultProvider) {
    return new GatewayConfig(
        new ServerConfig("127.0.0.1", 0, 1, "auto", new ServerConfig.TlsConfig(false, "", ""), 120_000, 0,
            256, 1024, MAX_BODY_BYTES, 32 * 1024, 128 * 1024),
        new AdminConfig("127.0.0.1", 0, "admin-token"),
        new StoreConfig("embedded", "./target/data"),
        new AuthConfig(1000, 1000, 30_000),
        new UpstreamConfig(defaultProvider, 5000, 300_000, 120_000, 60_000, null),
        providers,
        java.util.List.of(),
        new PlansConfig("config/plans/edge-gateway.yaml"),
        new PricingConfig("config/models.yaml"),
        new QuotaConfig(1000, 1000, 30_000, 4096),
        new VaultConfig(java.util.List.of(), 60_000, 10_000),
        new MeteringConfig(true, false, 1000, 5000, 50, 1.08, "", ""),
        RealtimeConfig.defaults(),
        new TurnRelayConfig("rest-secret", 86_400, java.util.List.of(), java.util.List.of(), "", true, null));
  }

  public static ProviderConfig provider(String baseUrl, String auth, String apiKey, String dialect) {
    return new ProviderConfig(baseUrl, auth, apiKey, dialect, null, null, null);
  }

  public static ConfigHolder holder() {
    return new ConfigHolder(gateway());
  }
}
