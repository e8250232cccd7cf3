package dev.tollgate.core.alert;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One alert to deliver: its stable id (the same on every retry and after a restart), its type, the
 * tenant and period it is about, the type's fields, and a one-line summary for chat receivers.
 *
 * @param eventId sent as {@code Tollgate-Event-Id} and {@code id}; receivers deduplicate on it
 * @param type {@code usage.threshold} or {@code margin.target}
 * @param fields the type's fields, in body order (see {@link WebhookSender} for the body)
 * @param summary the human sentence of a Slack-compatible body
 */
public record AlertEvent(
    String eventId, String type, String tenantId, String periodKey, Map<String, Object> fields, String summary) {

  /** Type of a plan usage threshold crossed. */
  public static final String USAGE_THRESHOLD = "usage.threshold";
  /** Type of the operator alert: a tenant's provider cost passed the plan's margin target. */
  public static final String MARGIN_TARGET = "margin.target";

  public AlertEvent {
    requireNonNull(eventId, "eventId");
    requireNonNull(type, "type");
    requireNonNull(tenantId, "tenantId");
    requireNonNull(periodKey, "periodKey");
    requireNonNull(summary, "summary");
    fields = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(fields, "fields")));
  }

  /** The alert for {@code tenantId} reaching {@code thresholdPercent} % of its included units. */
  public static AlertEvent usageThreshold(
      String tenantId, String periodKey, int thresholdPercent, long used, long included, String unit) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("threshold", thresholdPercent);
    fields.put("used", used);
    fields.put("included", included);
    fields.put("unit", unit);
    String summary = "Tollgate: tenant " + tenantId + " reached " + thresholdPercent + " % of its included "
        + unit + " for " + periodKey + " (" + used + " of " + included + ").";
    return new AlertEvent(eventId(tenantId, periodKey, ThresholdTracker.ALERT_KEY_PREFIX + thresholdPercent),
        USAGE_THRESHOLD, tenantId, periodKey, fields, summary);
  }

  /**
   * A deterministic event id for one alert of one tenant and period, so the same alert keeps its id
   * across retries and restarts.
   */
  static String eventId(String tenantId, String periodKey, String alertKey) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      byte[] digest = sha256.digest((tenantId + '\n' + periodKey + '\n' + alertKey).getBytes(StandardCharsets.UTF_8));
      return "evt_" + HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
