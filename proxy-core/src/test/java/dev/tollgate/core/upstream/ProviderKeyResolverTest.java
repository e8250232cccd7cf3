package dev.tollgate.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.audit.AuditChain;
import dev.tollgate.core.audit.AuditLog;
import dev.tollgate.core.audit.InMemoryAuditStore;
import dev.tollgate.core.auth.Principal;
import dev.tollgate.core.config.GatewayConfig;
import dev.tollgate.core.config.ProviderConfig;
import dev.tollgate.core.config.TestConfigs;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.route.Router;
import dev.tollgate.core.vault.InMemoryVaultStore;
import dev.tollgate.core.vault.Kek;
import dev.tollgate.core.vault.KekRing;
import dev.tollgate.core.vault.Vault;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ProviderKeyResolverTest {

  private static final String TENANT = "acme";

  private final AtomicReference<Vault> vault = new AtomicReference<>();
  private final ProviderKeyResolver resolver = new ProviderKeyResolver(vault::get,
      new AuditLog(new AuditChain(new InMemoryAuditStore(), Clock.systemUTC()), Runnable::run, Clock.systemUTC()),
      Runnable::run, 60_000, 100);

  @Test
  void givesTheSameOperatorKeyToEveryRequestOfOneConfig() {
    GatewayConfig config = TestConfigs.gateway();

    ProviderKey first = key(request(config));
    ProviderKey second = key(request(config));

    assertThat(first.reveal()).isEqualTo("sk-openai-secret");
    assertThat(first.source()).isEqualTo(ProviderKey.Source.OPERATOR_DEFAULT);
    assertThat(second).isSameAs(first);
    assertThat(second.revealAsBearer()).isSameAs(first.revealAsBearer()).isEqualTo("Bearer sk-openai-secret");
  }

  @Test
  void usesTheNewOperatorKeyOnceTheConfigChangesIt() {
    ProviderKey old = key(request(TestConfigs.gateway()));

    ProviderKey rotated = key(request(withOpenAiKey("sk-openai-rotated")));

    assertThat(old.reveal()).isEqualTo("sk-openai-secret");
    assertThat(rotated.reveal()).isEqualTo("sk-openai-rotated");
    assertThat(rotated.revealAsBearer()).isEqualTo("Bearer sk-openai-rotated");
  }

  @Test
  void findsNoKeyWhenNeitherVaultNorConfigHasOne() {
    assertThat(resolver.resolve(request(withOpenAiKey(""))).join()).isEmpty();
  }

  @Test
  void givesTheSameTenantSecretToEveryRequestUntilTheTenantIsInvalidated() {
    Vault v = vaultWithTenantSecret("sk-tenant-first");
    GatewayConfig config = TestConfigs.gateway();

    ProviderKey first = key(request(config));
    ProviderKey again = key(request(config));
    v.putSecret(TENANT, "", "openai", "sk-tenant-second");
    ProviderKey stillCached = key(request(config));
    resolver.invalidateTenant(TENANT);
    ProviderKey updated = key(request(config));

    assertThat(first.reveal()).isEqualTo("sk-tenant-first");
    assertThat(first.source()).isEqualTo(ProviderKey.Source.PROJECT_OR_TENANT_SECRET);
    assertThat(again).isSameAs(first);
    assertThat(again.revealAsBearer()).isSameAs(first.revealAsBearer());
    assertThat(stillCached).as("cached until the admin API invalidates the tenant").isSameAs(first);
    assertThat(updated.reveal()).isEqualTo("sk-tenant-second");
    assertThat(updated.revealAsBearer()).isEqualTo("Bearer sk-tenant-second");
  }

  @Test
  void fallsBackToTheOperatorKeyOnceTheTenantSecretIsDeleted() {
    Vault v = vaultWithTenantSecret("sk-tenant-only");
    GatewayConfig config = TestConfigs.gateway();
    assertThat(key(request(config)).reveal()).isEqualTo("sk-tenant-only");

    v.deleteSecret(TENANT, "", "openai");
    resolver.invalidateTenant(TENANT);

    ProviderKey fallback = key(request(config));
    assertThat(fallback.reveal()).isEqualTo("sk-openai-secret");
    assertThat(fallback.source()).isEqualTo(ProviderKey.Source.OPERATOR_DEFAULT);
  }

  @Test
  void neverPrintsAResolvedKey() {
    vaultWithTenantSecret("sk-tenant-hidden");
    GatewayConfig config = TestConfigs.gateway();

    String printed = resolver.resolve(request(config)).toString() + resolver.resolve(request(config)).join();
    vault.set(null);
    printed += resolver.resolve(request(config)).toString() + resolver.resolve(request(config)).join();

    assertThat(printed).doesNotContain("sk-tenant-hidden").doesNotContain("sk-openai-secret");
  }

  private ProviderKey key(RequestContext request) {
    Optional<ProviderKey> key = resolver.resolve(request).join();
    assertThat(key).isPresent();
    return key.get();
  }

  private static RequestContext request(GatewayConfig config) {
    RequestContext request = new RequestContext("req_test", System.nanoTime(), System.currentTimeMillis(), config,
        "POST", "/v1/chat/completions");
    request.route(new Router(config).route("/v1/chat/completions"));
    request.principal(new Principal(TENANT, null, "key_test", null));
    return request;
  }

  private static GatewayConfig withOpenAiKey(String apiKey) {
    Map<String, ProviderConfig> providers = new LinkedHashMap<>(TestConfigs.gateway().providers());
    providers.put("openai", TestConfigs.provider("https://api.openai.com", "bearer", apiKey, "openai"));
    return TestConfigs.gateway(providers, "openai");
  }

  /** A vault, now the resolver's, holding {@code value} as the tenant's openai key. */
  private Vault vaultWithTenantSecret(String value) {
    byte[] kek = new byte[Kek.KEY_BYTES];
    for (int i = 0; i < kek.length; i++) {
      kek[i] = (byte) i;
    }
    Vault v = new Vault(new InMemoryVaultStore(), KekRing.of(Kek.of("k1", kek)));
    v.putSecret(TENANT, "", "openai", value);
    vault.set(v);
    return v;
  }
}
