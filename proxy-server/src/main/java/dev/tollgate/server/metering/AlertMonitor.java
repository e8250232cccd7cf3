package dev.tollgate.server.metering;

import dev.tollgate.core.alert.AlertEvent;
import dev.tollgate.core.alert.AlertTargets;
import dev.tollgate.core.alert.MarginAlert;
import dev.tollgate.core.alert.ThresholdTracker;
import dev.tollgate.core.alert.WebhookSender;
import dev.tollgate.core.alert.WebhookTarget;
import dev.tollgate.core.config.ConfigHolder;
import dev.tollgate.core.config.MeteringConfig;
import dev.tollgate.core.ledger.UsageLedger;
import dev.tollgate.core.ledger.UsageRow;
import dev.tollgate.core.plan.Plan;
import dev.tollgate.core.plan.PlanResolver;
import dev.tollgate.core.quota.QuotaLedger;
import dev.tollgate.core.store.StateStore;
import dev.tollgate.core.store.TenantRecord;
import java.net.URI;
import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, every {@code metering.alertCheckIntervalMillis}, each tenant's use of its plan against the
 * plan's alert thresholds (each fires once per tenant and month, surviving restarts) and its provider
 * cost against the plan's margin target (an operator alert). Alerts go out as signed webhooks
 * ({@link WebhookSender}), in Slack's format where the plan says so. Runs on the store's executor.
 */
public final class AlertMonitor {

  private static final Logger log = LoggerFactory.getLogger(AlertMonitor.class);

  private final ConfigHolder config;
  private final StateStore store;
  private final PlanResolver plans;
  private final QuotaLedger requests;
  private final UsageLedger ledger;
  private final AlertTargets targets;
  private final ThresholdTracker thresholds;
  private final MarginAlert margins;
  private final WebhookSender sender;
  private final Clock clock;

  public AlertMonitor(ConfigHolder config, StateStore store, PlanResolver plans, QuotaLedger requests,
      UsageLedger ledger, AlertTargets targets, ThresholdTracker thresholds, MarginAlert margins,
      WebhookSender sender, Clock clock) {
    this.config = config;
    this.store = store;
    this.plans = plans;
    this.requests = requests;
    this.ledger = ledger;
    this.targets = targets;
    this.thresholds = thresholds;
    this.margins = margins;
    this.sender = sender;
    this.clock = clock;
  }

  /** One pass over every tenant. Blocking. */
  public void checkAll() {
    String period = YearMonth.now(clock.withZone(ZoneOffset.UTC)).toString();
    for (TenantRecord tenant : store.tenants()) {
      try {
        check(tenant, period);
      } catch (RuntimeException e) {
        log.warn("alert check failed for tenant {}: {}", tenant.id(), e.toString());
      }
    }
  }

  private void check(TenantRecord tenant, String period) {
    Plan plan = plans.planOf(tenant);
    if (plan == null) {
      return;
    }
    Optional<WebhookTarget> target = targets.get(tenant.id());
    if (target.isPresent()) {
      QuotaLedger.Consumption used = requests.consumption(tenant.id());
      long total = used.includedUnits() + used.overageUnits();
      for (int threshold : thresholds.newlyCrossed(tenant.id(), period, total, plan.includedUnits(),
          plan.alertThresholdsPercent())) {
        AlertEvent event = AlertEvent.usageThreshold(tenant.id(), period, threshold, total, plan.includedUnits(),
            plans.catalogue().unit());
        WebhookTarget to = target.get();
        if (plan.features().slackAlerts() != to.slack()) {
          to = new WebhookTarget(to.url(), to.secret(), to.slack() && plan.features().slackAlerts());
        }
        sender.send(to, event);
      }
    }
    checkMargin(tenant, plan, period);
  }

  private void checkMargin(TenantRecord tenant, Plan plan, String period) {
    if (plan.priceCents() == null || plan.priceCents() <= 0) {
      return;
    }
    MeteringConfig metering = config.current().metering();
    LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
    List<UsageRow> rows = ledger.query(tenant.id(), today.withDayOfMonth(1), today, Set.of());
    long costMicros = rows.isEmpty() ? 0 : rows.get(0).totals().costMicroUsd();
    long priceMicros = Math.round(plan.priceCents() * 10_000 * metering.planCurrencyToUsd());
    Optional<AlertEvent> alert = margins.check(tenant.id(), period, priceMicros, costMicros,
        metering.marginTargetPercent());
    if (alert.isEmpty()) {
      return;
    }
    log.warn("margin alert: tenant {} provider cost {} USD passes {} % of plan '{}' price this month",
        tenant.id(), costMicros / 1e6, 100 - metering.marginTargetPercent(), plan.name());
    if (!metering.operatorWebhookUrl().isEmpty()) {
      sender.send(new WebhookTarget(URI.create(metering.operatorWebhookUrl()), metering.operatorWebhookSecret(), false),
          alert.get());
    }
  }
}
