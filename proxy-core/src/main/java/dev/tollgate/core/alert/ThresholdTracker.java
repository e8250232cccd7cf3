package dev.tollgate.core.alert;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides which usage thresholds (percent of the included amount) a tenant newly crossed, each at most
 * once per tenant and period, even under concurrent calls and across restarts (through the
 * {@link AlertStore}). Thread-safe. It calls the store only the first time this process sees a threshold
 * crossed in a period, and that call may block: run it on the store executor, not on an event loop.
 */
public final class ThresholdTracker {

  /** The {@link AlertStore} key prefix of usage-threshold alerts; the percent follows. */
  static final String ALERT_KEY_PREFIX = "usage.threshold:";

  private final AlertStore store;
  private final Clock clock;
  // One entry per tenant, for its latest period only: bounded by the number of tenants.
  private final Map<String, PeriodClaims> claims = new ConcurrentHashMap<>();

  public ThresholdTracker(AlertStore store, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * The thresholds in {@code thresholdsPercent} that {@code used} of {@code included} has reached and
   * that never fired before for this tenant and period, in ascending order. A threshold is reached when
   * {@code used * 100 >= included * threshold}. An {@code included} of 0 (unlimited) reaches none.
   */
  public List<Integer> newlyCrossed(
      String tenantId, String periodKey, long used, long included, List<Integer> thresholdsPercent) {
    requireNonNull(tenantId, "tenantId");
    requireNonNull(periodKey, "periodKey");
    requireNonNull(thresholdsPercent, "thresholdsPercent");
    if (included <= 0 || used <= 0 || thresholdsPercent.isEmpty()) {
      return List.of();
    }
    PeriodClaims period = claims.compute(tenantId,
        (tenant, current) -> current != null && current.periodKey.equals(periodKey) ? current : new PeriodClaims(periodKey));
    List<Integer> crossed = new ArrayList<>(2);
    for (int threshold : thresholdsPercent.stream().sorted().distinct().toList()) {
      if (threshold <= 0) {
        throw new IllegalArgumentException("thresholdsPercent: " + threshold + " (expected: > 0)");
      }
      if (!reached(used, included, threshold)) {
        break;
      }
      // 1. Claim in memory: of concurrent callers on this node only one goes on.
      if (!period.claimed.add(threshold)) {
        continue;
      }
      // 2. Claim in the store: false when it fired before a restart (or on another node sharing it).
      boolean first;
      try {
        first = store.markFired(tenantId, periodKey, ALERT_KEY_PREFIX + threshold, clock.millis());
      } catch (RuntimeException e) {
        period.claimed.remove(threshold);
        throw e;
      }
      if (first) {
        crossed.add(threshold);
      }
    }
    return crossed;
  }

  private static boolean reached(long used, long included, int thresholdPercent) {
    long usedTimes100 = used * 100;
    long includedTimesThreshold = included * thresholdPercent;
    if (used <= Long.MAX_VALUE / 100 && included <= Long.MAX_VALUE / thresholdPercent) {
      return usedTimes100 >= includedTimesThreshold;
    }
    return BigInteger.valueOf(used).multiply(BigInteger.valueOf(100))
        .compareTo(BigInteger.valueOf(included).multiply(BigInteger.valueOf(thresholdPercent))) >= 0;
  }

  private static final class PeriodClaims {
    final String periodKey;
    final Set<Integer> claimed = ConcurrentHashMap.newKeySet();

    PeriodClaims(String periodKey) {
      this.periodKey = periodKey;
    }
  }
}
