package dev.tollgate.core.metrics;

import dev.tollgate.core.usage.TokenUsage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.util.concurrent.FastThreadLocal;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The gateway's Prometheus meters, with each labelled meter looked up once and cached so the hot path
 * pays a map lookup, not a registration. Labels carry no secrets and no request content beyond the
 * tenant id, provider, operation, model and status. Thread-safe.
 */
public final class GatewayMetrics {

  private final PrometheusMeterRegistry registry;
  // record keys: a lookup allocates one small key, not a concatenated string
  private final ConcurrentHashMap<RequestKey, Counter> requestCounters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<LatencyKey, Timer> latencyTimers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<TokenKey, Counter> tokenCounters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> errorCounters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> upstreamErrorCounters = new ConcurrentHashMap<>();
  private final AtomicInteger openStreams = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  // written by every event loop on every chunk: striped, so the loops never contend for one cache line
  private final LongAdder relayedBytes = new LongAdder();
  private final Counter cacheHits;
  private final Counter cacheMisses;

  public GatewayMetrics() {
    this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), CoarseWallClock.INSTANCE));
  }

  public GatewayMetrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("tollgate_open_streams", openStreams, AtomicInteger::get)
        .description("Streaming responses currently being relayed").register(registry);
    Gauge.builder("tollgate_in_flight_requests", inFlight, AtomicInteger::get)
        .description("Requests currently being served").register(registry);
    Gauge.builder("tollgate_relayed_response_bytes", relayedBytes, LongAdder::sum)
        .description("Response body bytes relayed to clients since start").register(registry);
    cacheHits = Counter.builder("tollgate_cache_lookups").tag("result", "hit")
        .description("Response cache lookups, by result").register(registry);
    cacheMisses = Counter.builder("tollgate_cache_lookups").tag("result", "miss")
        .description("Response cache lookups, by result").register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  /** Counts one finished request and its latency. */
  public void recordRequest(String tenant, String provider, String operation, int status, long latencyNanos) {
    String t = orDash(tenant);
    String p = orDash(provider);
    String o = orDash(operation);
    LastRequest last = LAST_REQUEST.get();
    if (!last.is(this, t, p, o, status)) {
      last.remember(this, t, p, o, status, requestCounter(t, p, o, status), latencyTimer(p, o));
    }
    last.requests.increment();
    last.latency.record(latencyNanos, TimeUnit.NANOSECONDS);
  }

  private Counter requestCounter(String t, String p, String o, int status) {
    RequestKey key = new RequestKey(t, p, o, status);
    Counter requests = requestCounters.get(key);
    if (requests == null) { // first time for these labels: register (the lambda is only built here)
      requests = requestCounters.computeIfAbsent(key, k -> Counter.builder("tollgate_requests")
          .description("Requests answered, by tenant, provider, operation and status")
          .tags("tenant", t, "provider", p, "operation", o, "status", Integer.toString(status))
          .register(registry));
    }
    return requests;
  }

  private Timer latencyTimer(String p, String o) {
    LatencyKey latencyKey = new LatencyKey(p, o);
    Timer latency = latencyTimers.get(latencyKey);
    if (latency == null) {
      latency = latencyTimers.computeIfAbsent(latencyKey, k -> Timer.builder("tollgate_request_duration")
          .description("Time from request start to the last response byte written")
          .tags("provider", p, "operation", o)
          // buckets only: quantiles are computed by Prometheus (histogram_quantile), which also
          // aggregates them across nodes; client-side percentiles would cost a rotating set of
          // histograms per record on the hot path and cannot be aggregated
          .publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofNanos(50_000))
          .maximumExpectedValue(Duration.ofMinutes(10))
          .register(registry));
    }
    return latency;
  }

  /**
   * Per thread: the labels of the last request it counted and their meters. Consecutive requests on an
   * event loop mostly carry the same labels (the same tenant's strings, the route's constants), so an
   * identity check of the labels usually replaces two map lookups and their key objects. Meters are
   * never removed, so a remembered one stays the registered one.
   */
  private static final FastThreadLocal<LastRequest> LAST_REQUEST = new FastThreadLocal<>() {
    @Override
    protected LastRequest initialValue() {
      return new LastRequest();
    }
  };

  private static final class LastRequest {
    private GatewayMetrics owner;
    private String tenant;
    private String provider;
    private String operation;
    private int status;
    private Counter requests;
    private Timer latency;

    boolean is(GatewayMetrics metrics, String t, String p, String o, int s) {
      return owner == metrics && status == s && tenant == t && provider == p && operation == o;
    }

    void remember(GatewayMetrics metrics, String t, String p, String o, int s, Counter counter, Timer timer) {
      owner = metrics;
      tenant = t;
      provider = p;
      operation = o;
      status = s;
      requests = counter;
      latency = timer;
    }
  }

  /** The {@code kind} label of each token count of a {@link TokenUsage}, in {@link #recordTokens} order. */
  private static final String[] TOKEN_KINDS = {"input", "output", "cached_input", "cache_creation_input",
      "reasoning", "audio_input", "audio_output"};

  /** Counts the tokens of one answer by kind ({@code input}, {@code output}, {@code cached_input}, ...). */
  public void recordTokens(String provider, String model, TokenUsage usage) {
    String p = orDash(provider);
    String m = orDash(model);
    LastTokens last = LAST_TOKENS.get();
    if (!last.is(this, p, m)) {
      last.remember(this, p, m);
    }
    addTokens(last, 0, usage.inputTokens());
    addTokens(last, 1, usage.outputTokens());
    addTokens(last, 2, usage.cachedInputTokens());
    addTokens(last, 3, usage.cacheCreationInputTokens());
    addTokens(last, 4, usage.reasoningTokens());
    addTokens(last, 5, usage.audioInputTokens());
    addTokens(last, 6, usage.audioOutputTokens());
  }

  private void addTokens(LastTokens last, int kind, long tokens) {
    if (tokens <= 0) {
      return;
    }
    Counter counter = last.counters[kind];
    if (counter == null) {
      counter = last.counters[kind] = tokenCounter(last.provider, last.model, TOKEN_KINDS[kind]);
    }
    counter.increment(tokens);
  }

  private Counter tokenCounter(String p, String m, String kind) {
    TokenKey key = new TokenKey(p, m, kind);
    Counter counter = tokenCounters.get(key);
    if (counter == null) {
      counter = tokenCounters.computeIfAbsent(key, k -> Counter.builder("tollgate_tokens")
          .description("Tokens reported by providers, by provider, model and kind")
          .tags("provider", p, "model", m, "kind", kind)
          .register(registry));
    }
    return counter;
  }

  /**
   * Per thread: the provider and model of the last answer whose tokens it counted, and their counters
   * by kind, looked up as each kind first appears: the names are compared (most often the very strings
   * of the answer before, see {@code LastText}), not hashed into a map key per kind.
   */
  private static final FastThreadLocal<LastTokens> LAST_TOKENS = new FastThreadLocal<>() {
    @Override
    protected LastTokens initialValue() {
      return new LastTokens();
    }
  };

  private static final class LastTokens {
    private GatewayMetrics owner;
    private String provider;
    private String model;
    private final Counter[] counters = new Counter[TOKEN_KINDS.length];

    boolean is(GatewayMetrics metrics, String p, String m) {
      return owner == metrics && provider.equals(p) && model.equals(m); // equals tries identity first
    }

    void remember(GatewayMetrics metrics, String p, String m) {
      owner = metrics;
      provider = p;
      model = m;
      Arrays.fill(counters, null);
    }
  }

  /** Counts an error the gateway itself answered with, by its stable code. */
  public void recordError(String code) {
    errorCounters.computeIfAbsent(code, k -> Counter.builder("tollgate_errors")
        .description("Errors answered by the gateway itself, by code")
        .tags("code", k)
        .register(registry)).increment();
  }

  /** Counts an upstream failure by provider and kind ({@code connect}, {@code timeout}, {@code reset}). */
  public void recordUpstreamError(String provider, String kind) {
    String p = orDash(provider);
    upstreamErrorCounters.computeIfAbsent(p + '\0' + kind, k -> Counter.builder("tollgate_upstream_errors")
        .description("Upstream failures, by provider and kind")
        .tags("provider", p, "kind", kind)
        .register(registry)).increment();
  }

  /** Counts a response cache lookup. */
  public void recordCache(boolean hit) {
    (hit ? cacheHits : cacheMisses).increment();
  }

  public AtomicInteger openStreams() {
    return openStreams;
  }

  public AtomicInteger inFlight() {
    return inFlight;
  }

  public void addRelayedBytes(long bytes) {
    relayedBytes.add(bytes);
  }

  private static String orDash(String value) {
    return value == null || value.isEmpty() ? "-" : value;
  }

  // Map keys looked up on every request: equals and hashCode written out (a record's generated ones go
  // through method handles that the JIT does not always inline); the strings cache their hashes.
  private record RequestKey(String tenant, String provider, String operation, int status) {
    @Override
    public boolean equals(Object o) {
      return o instanceof RequestKey k && status == k.status && tenant.equals(k.tenant)
          && provider.equals(k.provider) && operation.equals(k.operation);
    }

    @Override
    public int hashCode() {
      return ((tenant.hashCode() * 31 + provider.hashCode()) * 31 + operation.hashCode()) * 31 + status;
    }
  }

  private record LatencyKey(String provider, String operation) {
    @Override
    public boolean equals(Object o) {
      return o instanceof LatencyKey k && provider.equals(k.provider) && operation.equals(k.operation);
    }

    @Override
    public int hashCode() {
      return provider.hashCode() * 31 + operation.hashCode();
    }
  }

  private record TokenKey(String provider, String model, String kind) {
    @Override
    public boolean equals(Object o) {
      return o instanceof TokenKey k && provider.equals(k.provider) && model.equals(k.model) && kind.equals(k.kind);
    }

    @Override
    public int hashCode() {
      return (provider.hashCode() * 31 + model.hashCode()) * 31 + kind.hashCode();
    }
  }
}
