package dev.tollgate.core.quota;

import dev.tollgate.core.context.ParkedRequest;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.context.RequestStage;
import dev.tollgate.core.error.ErrorResponses;
import dev.tollgate.core.error.GatewayError;
import dev.tollgate.core.plan.Plan;
import dev.tollgate.core.plan.PlanCatalogue;
import dev.tollgate.core.plan.PlanResolver;
import dev.tollgate.core.pricing.ModelPriceTable;
import dev.tollgate.core.usage.TokenUsage;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.ReferenceCountUtil;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Pipeline stage that admits a request against the tenant's monthly quota and budgets,
 * reserve-then-settle. Before forwarding it reserves the request's units (its route weight) from the
 * node's local lease — never past a hard cap, whatever the concurrency — and, for plans with budgets,
 * the worst-case tokens and cost. When the request ends it settles to the actual usage, or refunds
 * everything when the call failed upstream or was refused later. Over the cap → 429
 * {@code quota_exceeded} with the reset time and an upgrade proposal; past the included amount with
 * overage on → admitted and marked billable. The per-subject cooldown and distinct-subject cap
 * (machines per licence) are enforced here too. One per channel (it may park a request while a lease
 * is fetched).
 */
public final class QuotaHandler extends RequestStage {

  /** The ledgers and trackers this stage draws on; shared by every channel. */
  public record Ledgers(QuotaLedger requests, QuotaLedger tokens, QuotaLedger costMicroUsd,
      SubjectTracker subjects, Supplier<ModelPriceTable> prices, PlanResolver plans, long defaultMaxOutputTokens) {
  }

  private final Ledgers ledgers;
  private final ParkedRequest parked = new ParkedRequest();
  // made once per channel rather than as a lambda per request
  private final ParkedRequest.Continuation<Reservation> unitsReserved = this::onUnitsReserved;

  public QuotaHandler(Ledgers ledgers) {
    this.ledgers = ledgers;
  }

  @Override
  protected void onRequest(ChannelHandlerContext ctx, FullHttpRequest request, RequestContext context) {
    Plan plan = context.plan();
    String tenantId = context.principal().tenantId();
    long units = context.units();
    String subject = null;
    if (units > 0 && plan.tracksSubjects()) {
      subject = request.headers().get(plan.subjectHeader());
      if (subject == null || subject.isBlank() || subject.length() > 200) {
        ReferenceCountUtil.release(request);
        ErrorResponses.send(ctx, GatewayError.BAD_REQUEST, "Plan '" + plan.name() + "' counts requests per "
            + "subject: send the '" + plan.subjectHeader() + "' header (1..200 characters).");
        return;
      }
      SubjectTracker.Decision decision = ledgers.subjects().admit(tenantId, subject, plan.maxSubjects(),
          plan.subjectCooldownSeconds());
      if (!decision.allowed()) {
        ReferenceCountUtil.release(request);
        refuseSubject(ctx, plan, decision);
        return;
      }
      context.countedSubject(subject);
    }
    if (units == 0) {
      reserveBudgets(ctx, request, context, null, subject);
      return;
    }
    boolean overage = plan.overageAllowed(context.tenant().overage());
    parked.await(ctx, request, context, ledgers.requests().reserve(tenantId, units, plan.includedUnits(), overage),
        unitsReserved);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    parked.release();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    parked.release();
  }

  private void onUnitsReserved(ChannelHandlerContext ctx, FullHttpRequest request, RequestContext context,
      Reservation reservation) {
    String subject = context.countedSubject();
    if (!reservation.admitted()) {
      cancelCooldown(context, subject);
      ReferenceCountUtil.release(request);
      refuseQuota(ctx, context, reservation);
      return;
    }
    context.overageUnits(reservation.overageUnits());
    context.billableUnits(context.units());
    reserveBudgets(ctx, request, context, reservation, subject);
  }

  /** 1. token budget, 2. cost budget, 3. forward; each refusal gives back what was reserved before it. */
  private void reserveBudgets(ChannelHandlerContext ctx, FullHttpRequest request, RequestContext context,
      Reservation units, String subject) {
    Plan plan = context.plan();
    String tenantId = context.principal().tenantId();
    long maxOutput = context.maxOutputTokens() > 0 ? context.maxOutputTokens() : ledgers.defaultMaxOutputTokens();
    long promptEstimate = Math.max(1, context.requestBytes() / 4);
    if (plan.monthlyTokenBudget() != null) {
      parked.await(ctx, request, context, ledgers.tokens().reserve(tenantId, promptEstimate + maxOutput,
          plan.monthlyTokenBudget(), false), (sameCtx, req, sameContext, tokens) -> {
            if (!tokens.admitted()) {
              refuseBudget(ctx, req, context, units, subject, "token", tokens);
              return;
            }
            reserveCost(ctx, req, context, units, tokens, subject, promptEstimate, maxOutput);
          });
      return;
    }
    reserveCost(ctx, request, context, units, null, subject, promptEstimate, maxOutput);
  }

  private void reserveCost(ChannelHandlerContext ctx, FullHttpRequest request, RequestContext context,
      Reservation units, Reservation tokens, String subject, long promptEstimate, long maxOutput) {
    Plan plan = context.plan();
    long worstCost = plan.monthlyCostBudgetMicroUsd() == null ? ModelPriceTable.UNKNOWN
        : ledgers.prices().get().worstCaseCost(context.route().providerName(), context.requestModel(),
            promptEstimate, maxOutput);
    if (worstCost == ModelPriceTable.UNKNOWN) {
      admit(ctx, request, context, units, tokens, null, subject);
      return;
    }
    parked.await(ctx, request, context, ledgers.costMicroUsd().reserve(context.principal().tenantId(), worstCost,
        plan.monthlyCostBudgetMicroUsd(), false), (sameCtx, req, sameContext, cost) -> {
          if (!cost.admitted()) {
            if (tokens != null) {
              ledgers.tokens().refund(tokens);
            }
            refuseBudget(ctx, req, context, units, subject, "cost", cost);
            return;
          }
          admit(ctx, req, context, units, tokens, cost, subject);
        });
  }

  private void admit(ChannelHandlerContext ctx, FullHttpRequest request, RequestContext context,
      Reservation units, Reservation tokens, Reservation cost, String subject) {
    if (units != null || tokens != null || cost != null) {
      context.onComplete(done -> settle(done, units, tokens, cost, subject));
    }
    ctx.fireChannelRead(request);
  }

  /** Runs once when the request ends: charge what was used, or give everything back on failure. */
  private void settle(RequestContext done, Reservation units, Reservation tokens, Reservation cost, String subject) {
    if (!done.chargeable()) {
      if (units != null) {
        ledgers.requests().refund(units);
      }
      if (tokens != null) {
        ledgers.tokens().refund(tokens);
      }
      if (cost != null) {
        ledgers.costMicroUsd().refund(cost);
      }
      cancelCooldown(done, subject);
      done.billableUnits(0);
      done.overageUnits(0);
      return;
    }
    if (units != null) {
      ledgers.requests().settle(units, done.units());
      done.overageUnits(units.settledOverageUnits());
    }
    TokenUsage usage = done.usage();
    if (tokens != null) {
      ledgers.tokens().settle(tokens, usage.inputTokens() + usage.cacheCreationInputTokens() + usage.outputTokens());
    }
    if (cost != null) {
      long actual = ledgers.prices().get().cost(done.route().providerName(), done.model(), usage);
      ledgers.costMicroUsd().settle(cost, actual == ModelPriceTable.UNKNOWN ? 0 : actual);
    }
  }

  private void cancelCooldown(RequestContext context, String subject) {
    if (subject != null) {
      ledgers.subjects().cancelCooldown(context.principal().tenantId(), subject);
    }
  }

  private void refuseBudget(ChannelHandlerContext ctx, FullHttpRequest request, RequestContext context,
      Reservation units, String subject, String kind, Reservation refused) {
    if (units != null) {
      ledgers.requests().refund(units);
    }
    cancelCooldown(context, subject);
    ReferenceCountUtil.release(request);
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set("retry-after", Long.toString(secondsUntil(refused.resetAtMillis())));
    ErrorResponses.send(ctx, GatewayError.QUOTA_EXCEEDED, "The monthly " + kind + " budget of plan '"
        + context.plan().name() + "' is used up; it resets at " + Instant.ofEpochMilli(refused.resetAtMillis())
        + ".", headers, false);
  }

  private void refuseQuota(ChannelHandlerContext ctx, RequestContext context, Reservation reservation) {
    Plan plan = context.plan();
    PlanCatalogue catalogue = ledgers.plans().catalogue();
    String unit = catalogue.unit();
    StringBuilder message = new StringBuilder()
        .append("Plan '").append(plan.name()).append("' includes ").append(plan.includedUnits()).append(' ')
        .append(unit).append(" per month and they are used up; the quota resets at ")
        .append(Instant.ofEpochMilli(reservation.resetAtMillis())).append('.');
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set("retry-after", Long.toString(secondsUntil(reservation.resetAtMillis())));
    headers.set("x-tollgate-quota-reset", Instant.ofEpochMilli(reservation.resetAtMillis()).toString());
    Optional<Plan> upgrade = catalogue.cheapestPlanIncluding(plan, plan.includedUnits() + 1);
    if (upgrade.isPresent()) {
      Plan next = upgrade.get();
      message.append(" Upgrade to plan '").append(next.name()).append("': ").append(next.includedUnits())
          .append(' ').append(unit).append(" per month");
      if (next.priceCents() != null) {
        message.append(" for ").append(String.format(Locale.ROOT, "%.2f", next.priceCents() / 100.0))
            .append(' ').append(next.currency()).append(" per month");
      }
      message.append('.');
      headers.set("x-tollgate-upgrade-plan", next.name());
    } else if (!plan.hardCap() && plan.overagePricePer1000Cents() != null && !context.tenant().overage()) {
      message.append(" Opt in to overage to keep going.");
    }
    ErrorResponses.send(ctx, GatewayError.QUOTA_EXCEEDED, message.toString(), headers, false);
  }

  private static void refuseSubject(ChannelHandlerContext ctx, Plan plan, SubjectTracker.Decision decision) {
    HttpHeaders headers = new DefaultHttpHeaders();
    if (decision.verdict() == SubjectTracker.Verdict.COOLING_DOWN) {
      long seconds = Math.max(1, (decision.retryAfterMillis() + 999) / 1000);
      headers.set("retry-after", Long.toString(seconds));
      ErrorResponses.send(ctx, GatewayError.RATE_LIMITED, "Plan '" + plan.name() + "' allows one counted request per "
          + plan.subjectCooldownSeconds() + " s for each " + plan.subjectHeader() + "; retry in " + seconds + " s.",
          headers, false);
      return;
    }
    ErrorResponses.send(ctx, GatewayError.QUOTA_EXCEEDED, "Plan '" + plan.name() + "' allows " + plan.maxSubjects()
        + " distinct " + plan.subjectHeader() + " values per month; that limit is reached.", headers, false);
  }

  private static long secondsUntil(long epochMillis) {
    return Math.max(1, (epochMillis - System.currentTimeMillis() + 999) / 1000);
  }
}
