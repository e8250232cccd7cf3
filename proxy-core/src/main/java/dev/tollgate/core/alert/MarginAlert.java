package dev.tollgate.core.alert;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operator alert on margin: fires once per tenant and period when the tenant's provider cost passes
 * {@code price × (1 − marginTarget)}, i.e. when the plan no longer earns its target margin. Thread-safe.
 * It calls the {@link AlertStore} (may block) only when the cost is over the line and this process has
 * not yet seen it fire in the period: run it on the store executor.
 */
public final class MarginAlert {

  static final String ALERT_KEY = "margin.target";

  private final AlertStore store;
  private final Clock clock;
  // tenant -> the period its margin alert is known to have fired in; bounded by the number of tenants.
  private final Map<String, String> firedPeriod = new ConcurrentHashMap<>();

  public MarginAlert(AlertStore store, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * The alert to send to the operator, if {@code providerCostMicros} passed the line for the first time
   * in {@code periodKey}. Price and cost are in micro-units of the same currency (the caller converts).
   *
   * @param marginTargetPercent the margin the plan should earn, 0..99 (60 = cost must stay under 40 % of
   *     the price)
   */
  public Optional<AlertEvent> check(String tenantId, String periodKey, long planPriceMicros,
      long providerCostMicros, int marginTargetPercent) {
    requireNonNull(tenantId, "tenantId");
    requireNonNull(periodKey, "periodKey");
    if (marginTargetPercent < 0 || marginTargetPercent > 99) {
      throw new IllegalArgumentException("marginTargetPercent: " + marginTargetPercent + " (expected: 0..99)");
    }
    if (planPriceMicros < 0) {
      throw new IllegalArgumentException("planPriceMicros: " + planPriceMicros + " (expected: >= 0)");
    }
    // cost > price × (100 − target) / 100, in exact integer arithmetic.
    boolean over = BigInteger.valueOf(providerCostMicros).multiply(BigInteger.valueOf(100))
        .compareTo(BigInteger.valueOf(planPriceMicros).multiply(BigInteger.valueOf(100 - marginTargetPercent))) > 0;
    if (!over || periodKey.equals(firedPeriod.get(tenantId))) {
      return Optional.empty();
    }
    // Of concurrent callers on this node only the one that swaps the period in goes on to the store.
    if (periodKey.equals(firedPeriod.put(tenantId, periodKey))) {
      return Optional.empty();
    }
    boolean first;
    try {
      first = store.markFired(tenantId, periodKey, ALERT_KEY, clock.millis());
    } catch (RuntimeException e) {
      firedPeriod.remove(tenantId, periodKey);
      throw e;
    }
    if (!first) {
      return Optional.empty();
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("planPriceMicros", planPriceMicros);
    fields.put("providerCostMicros", providerCostMicros);
    fields.put("marginTargetPercent", marginTargetPercent);
    String summary = "Tollgate: tenant " + tenantId + " is below its " + marginTargetPercent
        + " % margin target for " + periodKey + " (provider cost " + providerCostMicros + " of price "
        + planPriceMicros + " micro-units).";
    return Optional.of(new AlertEvent(AlertEvent.eventId(tenantId, periodKey, ALERT_KEY),
        AlertEvent.MARGIN_TARGET, tenantId, periodKey, fields, summary));
  }
}
