package dev.tollgate.core.context;

import dev.tollgate.core.auth.Principal;
import dev.tollgate.core.config.GatewayConfig;
import dev.tollgate.core.error.ErrorDialect;
import dev.tollgate.core.route.RouteMatch;
import dev.tollgate.core.usage.TokenUsage;
import dev.tollgate.core.usage.UsageEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything the stages learn about one request, from the metrics stage that creates it to the moment
 * the response ends. Confined to the client channel's event loop; the config snapshot taken at the
 * start is the only config the request ever sees.
 */
public final class RequestContext {

  private final String requestId;
  private final long startNanos;
  private final long startEpochMillis;
  private final GatewayConfig config;
  private final String method;
  private final String uri;

  private ErrorDialect dialect;
  private RouteMatch route;
  private Principal principal;
  private dev.tollgate.core.store.TenantRecord tenant;
  private dev.tollgate.core.plan.Plan plan;
  private long units;
  private int cacheTtlSeconds;
  private boolean cacheHit;
  private long overageUnits;
  private String countedSubject;
  private String requestModel;
  private boolean stream;
  private boolean usageInjected;
  private boolean clientIncludeUsage;
  private long maxOutputTokens = -1;
  private long requestBytes;

  private int status;
  private boolean responseStarted;
  private String responseModel;
  private TokenUsage usage = TokenUsage.NONE;
  private long responseBytes;
  private long billableUnits;
  private String errorCode;

  private List<CompletionHook> completionHooks;
  private boolean completed;
  private boolean usageRecorded;

  public RequestContext(String requestId, long startNanos, long startEpochMillis, GatewayConfig config,
      String method, String uri) {
    this.requestId = Objects.requireNonNull(requestId, "requestId");
    this.startNanos = startNanos;
    this.startEpochMillis = startEpochMillis;
    this.config = Objects.requireNonNull(config, "config");
    this.method = method;
    this.uri = uri;
    this.dialect = ErrorDialect.forPath(uri);
  }

  /** Something acquired for this request that must be given back exactly once when it ends. */
  @FunctionalInterface
  public interface CompletionHook {
    void onComplete(RequestContext request);
  }

  /** Registers {@code hook} to run once when the request completes (in registration order). */
  public void onComplete(CompletionHook hook) {
    if (completed) {
      hook.onComplete(this);
      return;
    }
    if (completionHooks == null) {
      completionHooks = new ArrayList<>(4);
    }
    completionHooks.add(hook);
  }

  /**
   * Ends the request: runs the completion hooks exactly once. Returns false if it had already ended.
   * Called by the metrics stage when the last byte of the response is written or the client goes away.
   */
  public boolean complete() {
    if (completed) {
      return false;
    }
    completed = true;
    if (completionHooks != null) {
      for (CompletionHook hook : completionHooks) {
        hook.onComplete(this);
      }
      completionHooks = null;
    }
    return true;
  }

  /**
   * Whether the request is charged: it got an answer that is not a failure of the provider or the
   * gateway (status below 500, not a provider 429, no gateway error). Failed requests are refunded.
   */
  public boolean chargeable() {
    return status != 0 && status < 500 && status != 429 && errorCode == null;
  }

  public UsageEvent toUsageEvent(long nowNanos) {
    Principal p = principal;
    boolean charged = chargeable();
    return new UsageEvent(
        requestId,
        startEpochMillis,
        p == null ? null : p.tenantId(),
        p == null ? null : p.projectId(),
        p == null ? null : p.keyId(),
        route == null ? null : route.providerName(),
        route == null ? null : route.operation().id(),
        model(),
        status,
        stream,
        usage,
        charged ? billableUnits : 0,
        charged ? overageUnits : 0,
        nowNanos - startNanos,
        requestBytes,
        responseBytes);
  }

  /** The model that served the request: the provider's word if it gave one, else the request's. */
  public String model() {
    return responseModel != null ? responseModel : requestModel;
  }

  /** True once the usage event went to the sink (before the last byte, durably); not sent again. */
  public boolean usageRecorded() {
    return usageRecorded;
  }

  public void usageRecorded(boolean usageRecorded) {
    this.usageRecorded = usageRecorded;
  }

  public boolean isCompleted() {
    return completed;
  }

  public String requestId() {
    return requestId;
  }

  public long startNanos() {
    return startNanos;
  }

  public long startEpochMillis() {
    return startEpochMillis;
  }

  public GatewayConfig config() {
    return config;
  }

  public String method() {
    return method;
  }

  public String uri() {
    return uri;
  }

  public ErrorDialect dialect() {
    return dialect;
  }

  public void dialect(ErrorDialect dialect) {
    this.dialect = dialect;
  }

  public RouteMatch route() {
    return route;
  }

  public void route(RouteMatch route) {
    this.route = route;
    this.dialect = route.dialect();
  }

  public Principal principal() {
    return principal;
  }

  public void principal(Principal principal) {
    this.principal = principal;
  }

  /** The caller's tenant as stored (plan name, overage opt-in, overrides), set by the auth stage. */
  public dev.tollgate.core.store.TenantRecord tenant() {
    return tenant;
  }

  public void tenant(dev.tollgate.core.store.TenantRecord tenant) {
    this.tenant = tenant;
  }

  /** The tenant's effective plan for this request (overrides applied), set by the plan gate. */
  public dev.tollgate.core.plan.Plan plan() {
    return plan;
  }

  public void plan(dev.tollgate.core.plan.Plan plan) {
    this.plan = plan;
  }

  /** Units this request counts against the plan (route weight), set by the plan gate. */
  public long units() {
    return units;
  }

  public void units(long units) {
    this.units = units;
  }

  /** How long the plan lets this route's response be cached (0 = not cached), set by the plan gate. */
  public int cacheTtlSeconds() {
    return cacheTtlSeconds;
  }

  public void cacheTtlSeconds(int cacheTtlSeconds) {
    this.cacheTtlSeconds = cacheTtlSeconds;
  }

  /** True when the response came from the response cache (no provider call, no provider cost). */
  public boolean cacheHit() {
    return cacheHit;
  }

  public void cacheHit(boolean cacheHit) {
    this.cacheHit = cacheHit;
  }

  /** Units of this request admitted past the included amount, billable as overage. */
  public long overageUnits() {
    return overageUnits;
  }

  public void overageUnits(long overageUnits) {
    this.overageUnits = overageUnits;
  }

  /**
   * The subject header's value this request counts under, for plans that count subjects (machines per
   * licence), set by the quota stage; else null.
   */
  public String countedSubject() {
    return countedSubject;
  }

  public void countedSubject(String countedSubject) {
    this.countedSubject = countedSubject;
  }

  public String requestModel() {
    return requestModel;
  }

  public void requestModel(String requestModel) {
    this.requestModel = requestModel;
  }

  public boolean stream() {
    return stream;
  }

  public void stream(boolean stream) {
    this.stream = stream;
  }

  public boolean usageInjected() {
    return usageInjected;
  }

  public void usageInjected(boolean usageInjected) {
    this.usageInjected = usageInjected;
  }

  /** Whether the client's own request asked for {@code stream_options.include_usage}. */
  public boolean clientIncludeUsage() {
    return clientIncludeUsage;
  }

  public void clientIncludeUsage(boolean clientIncludeUsage) {
    this.clientIncludeUsage = clientIncludeUsage;
  }

  public long maxOutputTokens() {
    return maxOutputTokens;
  }

  public void maxOutputTokens(long maxOutputTokens) {
    this.maxOutputTokens = maxOutputTokens;
  }

  public long requestBytes() {
    return requestBytes;
  }

  public void requestBytes(long requestBytes) {
    this.requestBytes = requestBytes;
  }

  public int status() {
    return status;
  }

  public void status(int status) {
    this.status = status;
  }

  public boolean responseStarted() {
    return responseStarted;
  }

  public void responseStarted(boolean responseStarted) {
    this.responseStarted = responseStarted;
  }

  public String responseModel() {
    return responseModel;
  }

  public void responseModel(String responseModel) {
    this.responseModel = responseModel;
  }

  public TokenUsage usage() {
    return usage;
  }

  public void usage(TokenUsage usage) {
    this.usage = Objects.requireNonNull(usage, "usage");
  }

  public long responseBytes() {
    return responseBytes;
  }

  public void addResponseBytes(long bytes) {
    this.responseBytes += bytes;
  }

  public long billableUnits() {
    return billableUnits;
  }

  public void billableUnits(long billableUnits) {
    this.billableUnits = billableUnits;
  }

  /** The gateway's own error code when the gateway answered with an error, else null. */
  public String errorCode() {
    return errorCode;
  }

  public void errorCode(String errorCode) {
    this.errorCode = errorCode;
  }
}
