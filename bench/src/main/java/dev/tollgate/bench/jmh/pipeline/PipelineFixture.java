package dev.tollgate.bench.jmh.pipeline;

import dev.tollgate.core.audit.AuditChain;
import dev.tollgate.core.audit.AuditLog;
import dev.tollgate.core.auth.ApiKeyVerifier;
import dev.tollgate.core.auth.ApiKeys;
import dev.tollgate.core.auth.JwtAuthenticator;
import dev.tollgate.core.auth.TenantDirectory;
import dev.tollgate.core.cache.ResponseCache;
import dev.tollgate.core.concurrency.InFlightCounter;
import dev.tollgate.core.config.AdminConfig;
import dev.tollgate.core.config.AuthConfig;
import dev.tollgate.core.config.ConfigHolder;
import dev.tollgate.core.config.GatewayConfig;
import dev.tollgate.core.config.PlansConfig;
import dev.tollgate.core.config.PricingConfig;
import dev.tollgate.core.config.ProviderConfig;
import dev.tollgate.core.config.QuotaConfig;
import dev.tollgate.core.config.ServerConfig;
import dev.tollgate.core.config.StoreConfig;
import dev.tollgate.core.config.UpstreamConfig;
import dev.tollgate.core.config.VaultConfig;
import dev.tollgate.core.metrics.GatewayMetrics;
import dev.tollgate.core.metrics.MetricsUsageSink;
import dev.tollgate.core.pipeline.GatewayPipeline;
import dev.tollgate.core.pipeline.GatewayServices;
import dev.tollgate.core.plan.PlanCatalogueHolder;
import dev.tollgate.core.plan.PlanCatalogueLoader;
import dev.tollgate.core.plan.PlanResolver;
import dev.tollgate.core.pricing.ModelPriceTable;
import dev.tollgate.core.quota.QuotaHandler;
import dev.tollgate.core.quota.QuotaLedger;
import dev.tollgate.core.quota.SubjectTracker;
import dev.tollgate.core.ratelimit.GcraRateLimiter;
import dev.tollgate.core.store.ApiKeyRecord;
import dev.tollgate.core.store.ProjectRecord;
import dev.tollgate.core.store.SqliteAuditStore;
import dev.tollgate.core.store.SqliteStateStore;
import dev.tollgate.core.store.TenantRecord;
import dev.tollgate.core.upstream.ProviderKeyResolver;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The gateway's services wired as {@code GatewayServer} wires them (SQLite store in a temp directory,
 * SQLite audit, metrics usage sink, quota ledgers as {@code Admission} builds them, no vault), one
 * tenant on a plan whose limits a benchmark never reaches, and one API key. The openai provider points
 * at an address nobody dials: upstream channels are {@link InMemorySocketChannel}s.
 */
final class PipelineFixture implements AutoCloseable {

  static final String TENANT_ID = "bench";

  private static final String CATALOGUE = """
      catalogue: bench
      unit: requests
      currency: EUR
      defaultRouteWeight: 1
      routes: []
      defaults:
        hardCap: false
        maxProjects: 1
        alertThresholdsPercent: [50, 80, 100]
        features: {webhooks: false, csvExport: false, budgets: true, slackAlerts: false, turn: false}
        requestsPerSecond: 1000000000
        burst: 1000000
        requestsPerSecondPerKey: 1000000000
        maxConcurrentRequests: 1000000
        maxConcurrentStreams: 1000000
        monthlyTokenBudget: unlimited
        monthlyCostBudgetUsd: unlimited
        allowedModels: ["openai/*", "anthropic/*"]
        maxSubjects: unlimited
        subjectHeader: X-Tollgate-Subject
        subjectCooldownSeconds: 0
      plans:
        - name: bench
          priceCents: 0
          includedUnits: 1000000000000000
          hardCap: true
          metricsRetentionDays: 7
      """;

  final Path dataDir;
  final SqliteStateStore store;
  final GatewayServices services;
  final GatewayPipeline pipeline;
  final String apiKey;
  private final JwtAuthenticator jwt;

  private PipelineFixture(Path dataDir) throws IOException {
    this.dataDir = dataDir;
    Path catalogueFile = dataDir.resolve("catalogue.yaml");
    Files.writeString(catalogueFile, CATALOGUE);
    GatewayConfig config = config(catalogueFile);
    Clock clock = Clock.systemUTC();
    store = SqliteStateStore.open(dataDir.resolve("data"));
    AuditLog audit = new AuditLog(new AuditChain(new SqliteAuditStore(store), clock), store.executor(), clock);
    PlanResolver plans = new PlanResolver(new PlanCatalogueHolder(new PlanCatalogueLoader().load(catalogueFile)));
    ModelPriceTable prices = ModelPriceTable.load(Path.of(config.pricing().modelsFile()));
    QuotaConfig quota = config.quota();
    QuotaHandler.Ledgers ledgers = new QuotaHandler.Ledgers(
        new QuotaLedger("requests", store, store.executor(), quota.maxLeaseUnits(), quota.exhaustedRecheckMillis(), clock),
        new QuotaLedger("tokens", store, store.executor(), quota.maxLeaseUnits() * 1000,
            quota.exhaustedRecheckMillis(), clock),
        new QuotaLedger("costMicroUsd", store, store.executor(), quota.maxLeaseUnits() * 10_000,
            quota.exhaustedRecheckMillis(), clock),
        new SubjectTracker(clock), () -> prices, plans, quota.defaultMaxOutputTokens());
    GatewayMetrics metrics = new GatewayMetrics();
    ConfigHolder holder = new ConfigHolder(config);
    jwt = new JwtAuthenticator(store, 1, config.auth().keyCacheRefreshMillis());
    services = new GatewayServices(holder, metrics, new MetricsUsageSink(metrics),
        new ApiKeyVerifier(store, config.auth()), jwt,
        new TenantDirectory(store, config.auth().keyCacheRefreshMillis()), plans,
        new GcraRateLimiter(System::nanoTime, 1_000_000), ledgers, new InFlightCounter(),
        new ProviderKeyResolver(() -> null, audit, store.executor(), 60_000, 10_000), audit,
        new ResponseCache(64L << 20), null, SslContextBuilder.forClient().build(),
        dev.tollgate.core.realtime.RealtimeServices.create(config.realtime(), null, new byte[0],
            metrics.registry(), store.executor(), clock));
    pipeline = new GatewayPipeline(services, InMemorySocketChannel.class);
    long now = System.currentTimeMillis();
    store.createTenant(new TenantRecord(TENANT_ID, "Bench", "bench", now));
    store.createProject(new ProjectRecord(TENANT_ID, "default", "Default project", now));
    apiKey = ApiKeys.generate();
    store.createKey(new ApiKeyRecord(ApiKeys.newId("key_"), TENANT_ID, "default", "bench",
        ApiKeys.lookupPrefix(apiKey), ApiKeys.hash(apiKey), now, 0));
  }

  static PipelineFixture start() {
    try {
      return new PipelineFixture(Files.createTempDirectory("tollgate-jmh"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * An accepted client connection on {@code loop}, with the client-side stages installed by
   * {@code GatewayPipeline} (added as the ChannelInitializer it is, as {@code GatewayServer} does).
   */
  InMemorySocketChannel newClientChannel(InlineEventLoop loop) {
    InMemorySocketChannel client = new InMemorySocketChannel();
    client.pipeline().addLast(pipeline); // runs initChannel on registration, then removes itself
    client.registerAccepted(loop);
    return client;
  }

  @Override
  public void close() {
    pipeline.connector().close();
    services.ledgers().requests().returnLeases();
    jwt.close();
    store.close();
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp directory: the OS cleans it eventually
    }
  }

  private static GatewayConfig config(Path catalogueFile) {
    Map<String, ProviderConfig> providers = new LinkedHashMap<>();
    providers.put("openai", new ProviderConfig("http://127.0.0.1:9", "bearer", "sk-bench-openai", "openai",
        null, null, null));
    providers.put("anthropic", new ProviderConfig("http://127.0.0.1:9", "x-api-key", "sk-bench-anthropic",
        "anthropic", null, null, null));
    return new GatewayConfig(
        new ServerConfig("127.0.0.1", 0, 1, "auto", new ServerConfig.TlsConfig(false, "", ""), 120_000, 20_000,
            8192, 32768, 8 << 20, 32 * 1024, 128 * 1024),
        new AdminConfig("127.0.0.1", 0, ""),
        new StoreConfig("embedded", "./data"),
        new AuthConfig(100_000, 1000, 30_000),
        new UpstreamConfig("openai", 5000, 300_000, 120_000, 60_000, null),
        providers,
        List.of(),
        new PlansConfig(catalogueFile.toString()),
        new PricingConfig(projectFile("config/models.yaml").toString()),
        new QuotaConfig(1000, 1000, 30_000, 4096),
        new VaultConfig(List.of(), 60_000, 10_000),
        new dev.tollgate.core.config.MeteringConfig(true, false, 1000, 5000, 50, 1.08, "", ""),
        dev.tollgate.core.config.RealtimeConfig.defaults(),
        new dev.tollgate.core.config.TurnRelayConfig("rest-secret", 86_400, List.of(), List.of(), "", true, null));
  }

  /** A file of the repository, found from whichever directory the JVM runs in. */
  static Path projectFile(String relative) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve(relative))) {
        return dir.resolve(relative);
      }
    }
    throw new IllegalStateException(relative + " not found (run from the repository)");
  }
}
