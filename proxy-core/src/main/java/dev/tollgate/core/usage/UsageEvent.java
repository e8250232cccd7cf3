package dev.tollgate.core.usage;

import java.util.Objects;

/**
 * One request's outcome as the meter sees it: who called, what route and model, the status the client
 * got, the tokens the provider reported and how long it took. Emitted exactly once per request by
 * the usage tap (or by the stage that refused the request) to a {@link UsageSink}.
 *
 * @param operation the route's operation, e.g. {@code chat.completions}, {@code messages}
 * @param billableUnits units counted against the plan (0 for refusals and refunded failures)
 * @param overageUnits of those, units past the plan's included amount, billed as overage
 */
public record UsageEvent(
    String requestId,
    long epochMillis,
    String tenantId,
    String projectId,
    String keyId,
    String provider,
    String operation,
    String model,
    int status,
    boolean streamed,
    TokenUsage usage,
    long billableUnits,
    long overageUnits,
    long latencyNanos,
    long requestBytes,
    long responseBytes) {

  public UsageEvent {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(usage, "usage");
  }
}
