package dev.tollgate.server.bootstrap;

import dev.tollgate.core.concurrency.InFlightCounter;
import dev.tollgate.core.config.GatewayConfig;
import dev.tollgate.core.config.QuotaConfig;
import dev.tollgate.core.plan.PlanCatalogueHolder;
import dev.tollgate.core.plan.PlanResolver;
import dev.tollgate.core.pricing.ModelPriceTable;
import dev.tollgate.core.quota.QuotaHandler;
import dev.tollgate.core.quota.QuotaLedger;
import dev.tollgate.core.quota.SubjectTracker;
import dev.tollgate.core.ratelimit.GcraRateLimiter;
import dev.tollgate.core.store.StateStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admission machinery of one node: plan resolution, the GCRA limiter, the quota and budget ledgers
 * (leases from the store), the in-flight counter and subject tracker, plus their housekeeping (idle
 * eviction, returning idle leases) on a background thread. {@link #close} returns every lease.
 */
public final class Admission implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Admission.class);

  private final PlanResolver resolver;
  private final GcraRateLimiter rateLimiter;
  private final QuotaHandler.Ledgers ledgers;
  private final InFlightCounter inFlight;
  private final AtomicReference<ModelPriceTable> prices;
  private final ScheduledExecutorService housekeeping;

  private Admission(PlanResolver resolver, GcraRateLimiter rateLimiter, QuotaHandler.Ledgers ledgers,
      InFlightCounter inFlight, AtomicReference<ModelPriceTable> prices, ScheduledExecutorService housekeeping) {
    this.resolver = resolver;
    this.rateLimiter = rateLimiter;
    this.ledgers = ledgers;
    this.inFlight = inFlight;
    this.prices = prices;
    this.housekeeping = housekeeping;
  }

  static Admission create(GatewayConfig config, StateStore store, PlanCatalogueHolder plans) {
    QuotaConfig quota = config.quota();
    Clock clock = Clock.systemUTC();
    AtomicReference<ModelPriceTable> prices =
        new AtomicReference<>(ModelPriceTable.load(Path.of(config.pricing().modelsFile())));
    QuotaLedger requests = new QuotaLedger("requests", store, store.executor(), quota.maxLeaseUnits(),
        quota.exhaustedRecheckMillis(), clock);
    QuotaLedger tokens = new QuotaLedger("tokens", store, store.executor(), quota.maxLeaseUnits() * 1000,
        quota.exhaustedRecheckMillis(), clock);
    QuotaLedger cost = new QuotaLedger("costMicroUsd", store, store.executor(), quota.maxLeaseUnits() * 10_000,
        quota.exhaustedRecheckMillis(), clock);
    SubjectTracker subjects = new SubjectTracker(clock);
    PlanResolver resolver = new PlanResolver(plans);
    QuotaHandler.Ledgers ledgers = new QuotaHandler.Ledgers(requests, tokens, cost, subjects, prices::get,
        resolver, quota.defaultMaxOutputTokens());
    GcraRateLimiter limiter = new GcraRateLimiter(System::nanoTime, 1_000_000);
    InFlightCounter inFlight = new InFlightCounter();
    ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tollgate-admission-housekeeping");
      t.setDaemon(true);
      return t;
    });
    Admission admission = new Admission(resolver, limiter, ledgers, inFlight, prices, housekeeping);
    long idleMillis = quota.leaseIdleReturnMillis();
    housekeeping.scheduleWithFixedDelay(() -> {
      try {
        limiter.evictIdle();
        inFlight.evictIdle();
        subjects.evictExpiredCooldowns(86_400);
        store.executor().execute(() -> {
          requests.returnIdleLeases(idleMillis);
          tokens.returnIdleLeases(idleMillis);
          cost.returnIdleLeases(idleMillis);
        });
      } catch (RuntimeException e) {
        log.warn("admission housekeeping failed: {}", e.toString());
      }
    }, 10, 10, TimeUnit.SECONDS);
    return admission;
  }

  public PlanResolver resolver() {
    return resolver;
  }

  public GcraRateLimiter rateLimiter() {
    return rateLimiter;
  }

  public QuotaHandler.Ledgers ledgers() {
    return ledgers;
  }

  public InFlightCounter inFlight() {
    return inFlight;
  }

  /** The price table in force (swapped on reload). */
  public java.util.function.Supplier<ModelPriceTable> prices() {
    return prices::get;
  }

  /** Swaps in a reloaded price table. */
  public void prices(ModelPriceTable table) {
    prices.set(table);
  }

  /** Stops housekeeping and gives every unused lease back to the store (blocking). */
  @Override
  public void close() {
    housekeeping.shutdownNow();
    ledgers.requests().returnLeases();
    ledgers.tokens().returnLeases();
    ledgers.costMicroUsd().returnLeases();
  }
}
