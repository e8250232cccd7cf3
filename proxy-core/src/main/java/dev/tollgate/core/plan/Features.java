package dev.tollgate.core.plan;

/**
 * Product features a plan switches on; read by the admin API, the alerting and the realtime
 * endpoints, never on the data-plane hot path.
 *
 * @param slackAlerts alerts rendered in Slack's incoming-webhook format
 * @param turn TURN relay credentials for realtime clients
 */
public record Features(
    boolean webhooks, boolean csvExport, boolean budgets, boolean slackAlerts, boolean turn) {

  public static final Features NONE = new Features(false, false, false, false, false);
}
