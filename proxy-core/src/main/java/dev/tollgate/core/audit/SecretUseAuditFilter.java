package dev.tollgate.core.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides which uses of a secret (a vault key resolved for a request) reach the audit log: the first use per
 * (tenant, secret) per clock-aligned period (an hour by default), so the log shows which secrets are in use
 * without one record per request. Lock-free on the common path; safe to call from any thread, including an
 * event loop. Memory is bounded by {@code maxTrackedKeys}: past it, stale entries are pruned and, if still
 * full, everything is forgotten (which can only cause extra records, never missing first uses).
 */
public final class SecretUseAuditFilter {

  private final long periodMillis;
  private final int maxTrackedKeys;
  private final ConcurrentHashMap<Key, Long> lastRecordedPeriod = new ConcurrentHashMap<>();

  public SecretUseAuditFilter() {
    this(Duration.ofHours(1), 100_000);
  }

  public SecretUseAuditFilter(Duration period, int maxTrackedKeys) {
    Objects.requireNonNull(period, "period");
    if (period.toMillis() < 1) {
      throw new IllegalArgumentException("period: " + period + " (expected: >= 1 ms)");
    }
    if (maxTrackedKeys < 1) {
      throw new IllegalArgumentException("maxTrackedKeys: " + maxTrackedKeys + " (expected: > 0)");
    }
    this.periodMillis = period.toMillis();
    this.maxTrackedKeys = maxTrackedKeys;
  }

  /** True exactly once per (tenant, secret) per period: for the first use seen in it. */
  public boolean shouldRecord(String tenantId, String secretName, Instant now) {
    Key key = new Key(Objects.requireNonNull(tenantId, "tenantId"), Objects.requireNonNull(secretName, "secretName"));
    long period = Math.floorDiv(now.toEpochMilli(), periodMillis);
    Long seen = lastRecordedPeriod.get(key);
    if (seen != null && seen >= period) {
      return false;
    }
    if (seen == null && lastRecordedPeriod.size() >= maxTrackedKeys) {
      prune(period);
    }
    boolean[] first = {false};
    lastRecordedPeriod.compute(key, (k, previous) -> {
      if (previous != null && previous >= period) {
        return previous;
      }
      first[0] = true;
      return period;
    });
    return first[0];
  }

  int trackedKeys() {
    return lastRecordedPeriod.size();
  }

  private void prune(long currentPeriod) {
    lastRecordedPeriod.values().removeIf(p -> p < currentPeriod);
    if (lastRecordedPeriod.size() >= maxTrackedKeys) {
      lastRecordedPeriod.clear();
    }
  }

  private record Key(String tenantId, String secretName) {}
}
