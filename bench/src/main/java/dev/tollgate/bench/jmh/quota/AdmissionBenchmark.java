package dev.tollgate.bench.jmh.quota;

import dev.tollgate.core.concurrency.InFlightCounter;
import dev.tollgate.core.quota.InMemoryQuotaStore;
import dev.tollgate.core.quota.QuotaLedger;
import dev.tollgate.core.quota.Reservation;
import dev.tollgate.core.ratelimit.GcraRateLimiter;
import dev.tollgate.core.ratelimit.RateLimit;
import dev.tollgate.core.ratelimit.RateLimitDecision;
import java.time.Clock;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The admission path one admitted request takes on the event loop, with limits it never reaches: GCRA
 * per key and per tenant, a quota reservation from the local lease and its settlement, and an in-flight
 * slot acquired and released. Leases come from an {@link InMemoryQuotaStore} on a store thread, as in
 * the gateway. Run with {@code -prof gc} to see bytes allocated per request:
 * {@code java -cp bench/target/classes:$(cat bench/target/classpath.txt) org.openjdk.jmh.Main
 * AdmissionBenchmark -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AdmissionBenchmark {

  private static final String KEY_ID = "key_01HZXADMISSIONBENCH";
  private static final String TENANT_ID = "acme";
  private static final String TENANT_RATE_KEY = "t:" + TENANT_ID;
  private static final long INCLUDED_UNITS = 1L << 50;

  private ExecutorService storeExecutor;
  private GcraRateLimiter limiter;
  private RateLimit perKey;
  private RateLimit perTenant;
  private QuotaLedger ledger;
  private InFlightCounter inFlight;

  @Setup(Level.Trial)
  public void setUp() {
    storeExecutor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "bench-quota-store");
      t.setDaemon(true);
      return t;
    });
    limiter = new GcraRateLimiter(System::nanoTime, 1_000_000);
    perKey = new RateLimit(1e9, 1_000);
    perTenant = new RateLimit(1e9, 1_000);
    ledger = new QuotaLedger("requests", new InMemoryQuotaStore(), storeExecutor, 1_000, 1_000, Clock.systemUTC());
    inFlight = new InFlightCounter();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    ledger.returnLeases();
    storeExecutor.shutdownNow();
  }

  /** Rate limit (key, tenant) → reserve 1 unit → take a slot → release the slot → settle to 1 unit. */
  @Benchmark
  public void admitOneRequest(Blackhole blackhole) {
    RateLimitDecision key = limiter.tryAcquire(KEY_ID, perKey);
    RateLimitDecision tenant = limiter.tryAcquire(TENANT_RATE_KEY, perTenant);
    Reservation reservation = ledger.tryReserve(TENANT_ID, 1, INCLUDED_UNITS, false);
    if (reservation == null) {
      // The local lease is empty (first request, or the prefetch is behind): the store is asked.
      reservation = ledger.reserve(TENANT_ID, 1, INCLUDED_UNITS, false).join();
    }
    InFlightCounter.Slot slot = inFlight.tryAcquire(TENANT_ID, 1_000);
    slot.release();
    blackhole.consume(ledger.settle(reservation, 1));
    blackhole.consume(key.allowed() & tenant.allowed());
  }
}
