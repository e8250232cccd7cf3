package dev.tollgate.core.pipeline;

import dev.tollgate.core.audit.AuditChain;
import dev.tollgate.core.audit.AuditLog;
import dev.tollgate.core.audit.InMemoryAuditStore;
import dev.tollgate.core.auth.ApiKeyVerifier;
import dev.tollgate.core.auth.JwtAuthenticator;
import dev.tollgate.core.auth.TenantDirectory;
import dev.tollgate.core.concurrency.InFlightCounter;
import dev.tollgate.core.config.ConfigHolder;
import dev.tollgate.core.metrics.GatewayMetrics;
import dev.tollgate.core.plan.PlanCatalogue;
import dev.tollgate.core.plan.PlanCatalogueHolder;
import dev.tollgate.core.plan.PlanCatalogueLoader;
import dev.tollgate.core.plan.PlanResolver;
import dev.tollgate.core.pricing.ModelPriceTable;
import dev.tollgate.core.quota.QuotaHandler;
import dev.tollgate.core.quota.QuotaLedger;
import dev.tollgate.core.quota.SubjectTracker;
import dev.tollgate.core.ratelimit.GcraRateLimiter;
import dev.tollgate.core.store.StateStore;
import dev.tollgate.core.upstream.ProviderKeyResolver;
import dev.tollgate.core.usage.UsageSink;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import javax.net.ssl.SSLException;

/**
 * {@link GatewayServices} for tests and benchmarks: the shipped edge-gateway catalogue and price
 * table (found from the module directory), in-memory audit, no vault, and the given store.
 */
public final class TestServices {

  private TestServices() {
  }

  public static GatewayServices create(ConfigHolder config, StateStore store, UsageSink sink) {
    return create(config, store, sink, catalogue("config/plans/edge-gateway.yaml"));
  }

  public static GatewayServices create(ConfigHolder config, StateStore store, UsageSink sink, PlanCatalogue catalogue) {
    Clock clock = Clock.systemUTC();
    PlanResolver plans = new PlanResolver(new PlanCatalogueHolder(catalogue));
    ModelPriceTable prices = ModelPriceTable.load(projectFile("config/models.yaml"));
    QuotaHandler.Ledgers ledgers = new QuotaHandler.Ledgers(
        new QuotaLedger("requests", store, store.executor(), 1000, 1000, clock),
        new QuotaLedger("tokens", store, store.executor(), 1_000_000, 1000, clock),
        new QuotaLedger("costMicroUsd", store, store.executor(), 10_000_000, 1000, clock),
        new SubjectTracker(clock), () -> prices, plans, 4096);
    AuditLog audit = new AuditLog(new AuditChain(new InMemoryAuditStore(), clock), Runnable::run, clock);
    SslContext upstreamTls;
    try {
      upstreamTls = SslContextBuilder.forClient().build();
    } catch (SSLException e) {
      throw new IllegalStateException(e);
    }
    return new GatewayServices(config, new GatewayMetrics(), sink,
        new ApiKeyVerifier(store, config.current().auth()), new JwtAuthenticator(store, 1, 1000),
        new TenantDirectory(store, 1000), plans,
        new GcraRateLimiter(System::nanoTime, 10_000), ledgers, new InFlightCounter(),
        new ProviderKeyResolver(() -> null, audit, Runnable::run, 60_000, 1000), audit,
        new dev.tollgate.core.cache.ResponseCache(16 << 20), null, upstreamTls,
        realtime(config, null, null));
  }

  /** Realtime services on a fresh registry: generated token secret, the given TURN source and page (may be null). */
  public static dev.tollgate.core.realtime.RealtimeServices realtime(ConfigHolder config,
      dev.tollgate.core.realtime.TurnSource turn, byte[] playgroundHtml) {
    return dev.tollgate.core.realtime.RealtimeServices.create(config.current().realtime(), turn, playgroundHtml,
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry(),
        java.util.concurrent.ForkJoinPool.commonPool(), Clock.systemUTC());
  }

  /** {@code services} with {@code realtime} in place of its realtime services. */
  public static GatewayServices withRealtime(GatewayServices s, dev.tollgate.core.realtime.RealtimeServices realtime) {
    return new GatewayServices(s.config(), s.metrics(), s.usageSink(), s.keyVerifier(), s.jwtAuthenticator(),
        s.tenants(), s.plans(), s.rateLimiter(), s.ledgers(), s.inFlight(), s.providerKeys(), s.audit(),
        s.responseCache(), s.serverTls(), s.upstreamTls(), realtime);
  }

  public static PlanCatalogue catalogue(String relative) {
    return new PlanCatalogueLoader().load(projectFile(relative));
  }

  /** A file of the repository, found from whichever module directory the JVM runs in. */
  public static Path projectFile(String relative) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve(relative))) {
        return dir.resolve(relative);
      }
    }
    throw new IllegalStateException(relative + " not found");
  }
}
