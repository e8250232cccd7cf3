package dev.tollgate.core.plan;

import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.context.RequestStage;
import dev.tollgate.core.error.ErrorResponses;
import dev.tollgate.core.error.GatewayError;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pipeline stage that refuses what the tenant's plan does not include: a route (premium analysis
 * routes below Pro, say) or a provider/model outside the plan's allow-list, with 403 naming the plan
 * that would include it. It also fixes the request's effective plan and the units it counts (the
 * route's weight) for the stages after it. Sits after {@code AuthHandler}; stateless.
 */
@Sharable
public final class PlanGateHandler extends RequestStage {

  private static final Logger log = LoggerFactory.getLogger(PlanGateHandler.class);

  private final PlanResolver plans;

  public PlanGateHandler(PlanResolver plans) {
    this.plans = plans;
  }

  @Override
  protected void onRequest(ChannelHandlerContext ctx, FullHttpRequest request, RequestContext context) {
    Plan plan = plans.planOf(context.tenant());
    if (plan == null) {
      log.error("{} tenant {} is on plan '{}', which the catalogue does not define", context.requestId(),
          context.tenant().id(), context.tenant().plan());
      ReferenceCountUtil.release(request);
      ErrorResponses.send(ctx, GatewayError.INTERNAL);
      return;
    }
    RouteAccess access = plan.allowsRoute(context.method(), context.route().clientPath());
    if (!access.allowed()) {
      ReferenceCountUtil.release(request);
      ErrorResponses.send(ctx, GatewayError.PLAN_FORBIDS_ROUTE, "Plan '" + plan.name() + "' does not include "
          + context.method() + " " + context.route().clientPath()
          + (access.requiredPlan() != null ? "; plan '" + access.requiredPlan() + "' does." : "."));
      return;
    }
    String model = context.requestModel();
    if (model != null && !plan.allowsModel(context.route().providerName(), model)) {
      ReferenceCountUtil.release(request);
      String upgrade = upgradeForModel(plan, context.route().providerName(), model);
      ErrorResponses.send(ctx, GatewayError.PLAN_FORBIDS_ROUTE, "Plan '" + plan.name() + "' does not include model "
          + context.route().providerName() + "/" + model + (upgrade != null ? "; plan '" + upgrade + "' does." : "."));
      return;
    }
    context.plan(plan);
    context.units(access.weight());
    context.cacheTtlSeconds(access.cacheTtlSeconds());
    ctx.fireChannelRead(request);
  }

  private String upgradeForModel(Plan plan, String provider, String model) {
    for (Plan other : plans.catalogue().plans()) {
      if (other.tier() > plan.tier() && other.allowsModel(provider, model)) {
        return other.name();
      }
    }
    return null;
  }
}
