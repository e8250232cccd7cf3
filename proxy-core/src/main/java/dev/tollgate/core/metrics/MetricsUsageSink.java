package dev.tollgate.core.metrics;

import dev.tollgate.core.usage.TokenUsage;
import dev.tollgate.core.usage.UsageEvent;
import dev.tollgate.core.usage.UsageSink;

/** The spine's {@link UsageSink}: turns each usage event's tokens into Prometheus counters. */
public final class MetricsUsageSink implements UsageSink {

  private final GatewayMetrics metrics;

  public MetricsUsageSink(GatewayMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void accept(UsageEvent event) {
    TokenUsage u = event.usage();
    if (u.isEmpty()) {
      return;
    }
    String provider = event.provider();
    String model = event.model();
    metrics.recordTokens(provider, model, "input", u.inputTokens());
    metrics.recordTokens(provider, model, "output", u.outputTokens());
    metrics.recordTokens(provider, model, "cached_input", u.cachedInputTokens());
    metrics.recordTokens(provider, model, "cache_creation_input", u.cacheCreationInputTokens());
    metrics.recordTokens(provider, model, "reasoning", u.reasoningTokens());
    metrics.recordTokens(provider, model, "audio_input", u.audioInputTokens());
    metrics.recordTokens(provider, model, "audio_output", u.audioOutputTokens());
  }
}
