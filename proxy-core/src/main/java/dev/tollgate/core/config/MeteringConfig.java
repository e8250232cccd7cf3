package dev.tollgate.core.config;

/**
 * Metering: how often the in-memory usage aggregates are written to the ledger, how often plan
 * thresholds and margins are checked for alerts, the margin target, the rate that turns plan prices
 * into USD (provider prices are in USD), and the operator's own alert webhook (empty = log only).
 *
 * @param durableAnswers hold each answer's last byte until its usage record is on disk (kill -9 then
 *     loses no answered request); off trades that guarantee for one fsync less per batch of answers
 * @param fsyncEachBatch an answer waits for its record to be fsynced (survives power loss) rather than
 *     written to the journal file (survives the gateway being killed; fsynced in the background)
 */
public record MeteringConfig(
    boolean durableAnswers,
    boolean fsyncEachBatch,
    long flushIntervalMillis,
    long alertCheckIntervalMillis,
    int marginTargetPercent,
    double planCurrencyToUsd,
    String operatorWebhookUrl,
    String operatorWebhookSecret) {

  public MeteringConfig {
    Checks.positive("metering.flushIntervalMillis", flushIntervalMillis);
    Checks.positive("metering.alertCheckIntervalMillis", alertCheckIntervalMillis);
    if (marginTargetPercent < 0 || marginTargetPercent > 99) {
      throw new IllegalArgumentException("metering.marginTargetPercent: " + marginTargetPercent + " (expected: 0..99)");
    }
    if (!(planCurrencyToUsd > 0)) {
      throw new IllegalArgumentException("metering.planCurrencyToUsd: " + planCurrencyToUsd + " (expected: > 0)");
    }
    operatorWebhookUrl = operatorWebhookUrl == null ? "" : operatorWebhookUrl.trim();
    operatorWebhookSecret = operatorWebhookSecret == null ? "" : operatorWebhookSecret;
    if (!operatorWebhookUrl.isEmpty() && operatorWebhookSecret.isEmpty()) {
      throw new IllegalArgumentException("metering.operatorWebhookSecret: missing (expected: a signing secret)");
    }
  }

  @Override
  public String toString() {
    return "MeteringConfig[durableAnswers=" + durableAnswers + ", fsyncEachBatch=" + fsyncEachBatch
        + ", flushIntervalMillis=" + flushIntervalMillis + ", alertCheckIntervalMillis="
        + alertCheckIntervalMillis + ", marginTargetPercent=" + marginTargetPercent + ", planCurrencyToUsd="
        + planCurrencyToUsd + ", operatorWebhook=" + (operatorWebhookUrl.isEmpty() ? "unset" : "[set]") + "]";
  }
}
