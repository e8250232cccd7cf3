package dev.tollgate.core.config;

/**
 * Quota leases: the largest lease a node takes from the shared counter at once, how long it trusts
 * "the counter is at its limit" before asking again, when idle leases go back, and the output token
 * limit assumed for a budget's worst case when a request names none.
 */
public record QuotaConfig(long maxLeaseUnits, long exhaustedRecheckMillis, long leaseIdleReturnMillis,
    long defaultMaxOutputTokens) {

  public QuotaConfig {
    Checks.positive("quota.maxLeaseUnits", maxLeaseUnits);
    Checks.nonNegative("quota.exhaustedRecheckMillis", exhaustedRecheckMillis);
    Checks.positive("quota.leaseIdleReturnMillis", leaseIdleReturnMillis);
    Checks.positive("quota.defaultMaxOutputTokens", defaultMaxOutputTokens);
  }
}
