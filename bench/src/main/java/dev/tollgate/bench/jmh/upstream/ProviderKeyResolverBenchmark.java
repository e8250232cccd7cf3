package dev.tollgate.bench.jmh.upstream;

import dev.tollgate.core.audit.AuditChain;
import dev.tollgate.core.audit.AuditLog;
import dev.tollgate.core.audit.InMemoryAuditStore;
import dev.tollgate.core.auth.Principal;
import dev.tollgate.core.config.GatewayConfig;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.route.Router;
import dev.tollgate.core.upstream.ProviderKey;
import dev.tollgate.core.upstream.ProviderKeyResolver;
import dev.tollgate.core.vault.InMemoryVaultStore;
import dev.tollgate.core.vault.Kek;
import dev.tollgate.core.vault.KekRing;
import dev.tollgate.core.vault.SecretValue;
import dev.tollgate.core.vault.Vault;
import dev.tollgate.server.config.ConfigLoader;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Provider key resolution as the upstream stage does it for every request: a tenant whose {@code openai}
 * secret sits in a real {@link Vault} over an {@link InMemoryVaultStore}, resolved through {@link
 * ProviderKeyResolver}'s cache (the hot path: no decryption), next to a cache miss (unwrap the DEK, open
 * the AES-GCM record) for scale. Run with {@code -prof gc} for bytes per resolution:
 * {@code java -cp bench/target/classes:$(cat bench/target/classpath.txt) org.openjdk.jmh.Main
 * ProviderKeyResolverBenchmark -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ProviderKeyResolverBenchmark {

  private static final String TENANT_ID = "acme";
  private static final String SECRET = "sk-tenant-benchmark-0123456789abcdef";

  private ExecutorService storeExecutor;
  private Vault vault;
  private ProviderKeyResolver resolver;
  private RequestContext request;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    storeExecutor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "bench-vault-store");
      t.setDaemon(true);
      return t;
    });
    byte[] kek = new byte[Kek.KEY_BYTES];
    new SecureRandom().nextBytes(kek);
    vault = new Vault(new InMemoryVaultStore(), KekRing.of(Kek.of("k1", kek)));
    vault.putSecret(TENANT_ID, "", "openai", SECRET);
    AuditLog audit = new AuditLog(new AuditChain(new InMemoryAuditStore(), Clock.systemUTC()), storeExecutor,
        Clock.systemUTC());
    resolver = new ProviderKeyResolver(() -> vault, audit, storeExecutor, 60_000, 10_000);

    GatewayConfig config = new ConfigLoader(name -> null).load(null);
    request = new RequestContext("req_bench", System.nanoTime(), System.currentTimeMillis(), config, "POST",
        "/v1/chat/completions");
    request.route(new Router(config).route("/v1/chat/completions"));
    request.principal(new Principal(TENANT_ID, "default", "key_bench", null));
    Optional<ProviderKey> warm = resolver.resolve(request).get(5, TimeUnit.SECONDS);
    if (warm.isEmpty() || !warm.get().reveal().equals(SECRET)) {
      throw new IllegalStateException("the tenant secret did not resolve");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    storeExecutor.shutdownNow();
  }

  /** A request's key from the resolver's cache: what every request after the first pays. */
  @Benchmark
  public Optional<ProviderKey> resolveCachedTenantSecret() {
    return resolver.resolve(request).join();
  }

  /** The work behind a cache miss, off the event loop: read the rows, unwrap the DEK, open the record. */
  @Benchmark
  public Optional<SecretValue> decryptFromTheVault() {
    return vault.resolve(TENANT_ID, "default", "openai");
  }
}
