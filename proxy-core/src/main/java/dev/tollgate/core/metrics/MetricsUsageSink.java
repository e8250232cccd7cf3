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
    metrics.recordTokens(event.provider(), event.model(), u);
  }
}
