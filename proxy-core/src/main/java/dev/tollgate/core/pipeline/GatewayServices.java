package dev.tollgate.core.pipeline;

import dev.tollgate.core.audit.AuditLog;
import dev.tollgate.core.cache.ResponseCache;
import dev.tollgate.core.auth.ApiKeyVerifier;
import dev.tollgate.core.upstream.ProviderKeyResolver;
import dev.tollgate.core.auth.JwtAuthenticator;
import dev.tollgate.core.auth.TenantDirectory;
import dev.tollgate.core.concurrency.InFlightCounter;
import dev.tollgate.core.config.ConfigHolder;
import dev.tollgate.core.metrics.GatewayMetrics;
import dev.tollgate.core.plan.PlanResolver;
import dev.tollgate.core.realtime.RealtimeServices;
import dev.tollgate.core.quota.QuotaHandler;
import dev.tollgate.core.ratelimit.GcraRateLimiter;
import dev.tollgate.core.usage.UsageSink;
import io.netty.handler.ssl.SslContext;
import java.util.Objects;

/**
 * The shared collaborators the stages draw on, built once by the server and handed to
 * {@link GatewayPipeline}: config, metrics and usage sink, key, JWT and tenant lookups, plans, the
 * rate limiter, quota ledgers and in-flight counter, provider key resolution (vault), the audit log,
 * the TLS contexts, and the realtime services (session tokens, provider sessions, TURN).
 *
 * @param serverTls the client-facing TLS context, or null for plain HTTP
 * @param upstreamTls the context for https providers (certificate and host name verified)
 */
public record GatewayServices(
    ConfigHolder config,
    GatewayMetrics metrics,
    UsageSink usageSink,
    ApiKeyVerifier keyVerifier,
    JwtAuthenticator jwtAuthenticator,
    TenantDirectory tenants,
    PlanResolver plans,
    GcraRateLimiter rateLimiter,
    QuotaHandler.Ledgers ledgers,
    InFlightCounter inFlight,
    ProviderKeyResolver providerKeys,
    AuditLog audit,
    ResponseCache responseCache,
    SslContext serverTls,
    SslContext upstreamTls,
    RealtimeServices realtime) {

  public GatewayServices {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(usageSink, "usageSink");
    Objects.requireNonNull(keyVerifier, "keyVerifier");
    Objects.requireNonNull(jwtAuthenticator, "jwtAuthenticator");
    Objects.requireNonNull(tenants, "tenants");
    Objects.requireNonNull(plans, "plans");
    Objects.requireNonNull(rateLimiter, "rateLimiter");
    Objects.requireNonNull(ledgers, "ledgers");
    Objects.requireNonNull(inFlight, "inFlight");
    Objects.requireNonNull(providerKeys, "providerKeys");
    Objects.requireNonNull(audit, "audit");
    Objects.requireNonNull(responseCache, "responseCache");
    Objects.requireNonNull(upstreamTls, "upstreamTls");
    Objects.requireNonNull(realtime, "realtime");
  }
}
