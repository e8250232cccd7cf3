package dev.tollgate.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.alert.AlertTargets;
import dev.tollgate.core.alert.WebhookTarget;
import dev.tollgate.core.ledger.UsageCsv;
import dev.tollgate.core.ledger.UsageDimension;
import dev.tollgate.core.ledger.UsageLedger;
import dev.tollgate.core.ledger.UsageRow;
import dev.tollgate.core.ledger.UsageTotals;
import dev.tollgate.core.store.StateStore;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.net.URI;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The admin routes of metering: a tenant's usage from the ledger (JSON, or CSV for spreadsheets),
 * grouped by any of project, key, route, provider, model and day; and the tenant's alert webhook
 * (URL and signing secret; the secret is never shown again). Runs on the store's executor.
 */
final class UsageAdminRoutes {

  private static final Pattern USAGE = Pattern.compile("/admin/tenants/([^/]+)/usage(\\.csv)?");
  private static final Pattern ALERTS = Pattern.compile("/admin/tenants/([^/]+)/alerts");
  private static final long MAX_RANGE_DAYS = 366;

  private final StateStore store;
  private final UsageLedger ledger;
  private final AlertTargets targets;

  UsageAdminRoutes(StateStore store, UsageLedger ledger, AlertTargets targets) {
    this.store = store;
    this.ledger = ledger;
    this.targets = targets;
  }

  /** The answer for {@code method path}, or null when the path is not one of these routes. */
  AdminApiHandler.Reply dispatch(HttpMethod method, String uri, String path, JsonNode body, boolean wantsCsv) {
    Matcher m;
    if ((m = USAGE.matcher(path)).matches() && method.equals(HttpMethod.GET)) {
      return usage(m.group(1), uri, wantsCsv || m.group(2) != null);
    }
    if ((m = ALERTS.matcher(path)).matches()) {
      String tenantId = m.group(1);
      if (store.tenant(tenantId).isEmpty()) {
        return AdminApiHandler.notFound("tenant", tenantId);
      }
      if (method.equals(HttpMethod.PUT)) {
        return putAlerts(tenantId, body);
      }
      if (method.equals(HttpMethod.GET)) {
        return targets.get(tenantId).map(t -> new AdminApiHandler.Reply(HttpResponseStatus.OK, targetJson(t)))
            .orElseGet(() -> AdminApiHandler.notFound("alert webhook of tenant", tenantId));
      }
      if (method.equals(HttpMethod.DELETE)) {
        return targets.delete(tenantId)
            ? new AdminApiHandler.Reply(HttpResponseStatus.OK, AdminApiHandler.json("deleted", "alerts"))
            : AdminApiHandler.notFound("alert webhook of tenant", tenantId);
      }
    }
    return null;
  }

  private AdminApiHandler.Reply usage(String tenantId, String uri, boolean csv) {
    if (store.tenant(tenantId).isEmpty()) {
      return AdminApiHandler.notFound("tenant", tenantId);
    }
    QueryStringDecoder query = new QueryStringDecoder(uri);
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    LocalDate from;
    LocalDate to;
    try {
      from = param(query, "from").map(LocalDate::parse).orElse(today.withDayOfMonth(1));
      to = param(query, "to").map(LocalDate::parse).orElse(today);
    } catch (DateTimeParseException e) {
      return AdminApiHandler.badRequest("from/to: not a date (expected: YYYY-MM-DD, UTC days, both inclusive)");
    }
    if (from.isAfter(to)) {
      return AdminApiHandler.badRequest("from: " + from + " is after to: " + to + " (expected: from <= to)");
    }
    if (to.toEpochDay() - from.toEpochDay() >= MAX_RANGE_DAYS) {
      return AdminApiHandler.badRequest("from/to: more than " + MAX_RANGE_DAYS + " days (expected: a shorter range)");
    }
    Set<UsageDimension> groupBy = EnumSet.noneOf(UsageDimension.class);
    Optional<String> group = param(query, "groupBy");
    if (group.isPresent()) {
      for (String name : group.get().split(",")) {
        String trimmed = name.trim();
        if (trimmed.isEmpty()) {
          continue;
        }
        try {
          groupBy.add(UsageDimension.valueOf(trimmed.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          return AdminApiHandler.badRequest("groupBy: '" + AdminApiHandler.describe(trimmed)
              + "' (expected: any of project, key, route, provider, model, day)");
        }
      }
    }
    List<UsageRow> rows = ledger.query(tenantId, from, to, groupBy);
    if (csv) {
      StringBuilder out = new StringBuilder();
      try {
        UsageCsv.write(out, groupBy, rows);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      return new AdminApiHandler.Reply(HttpResponseStatus.OK, null, out.toString(), "text/csv; charset=utf-8");
    }
    ObjectNode out = AdminApiHandler.JSON.createObjectNode();
    out.put("tenant", tenantId);
    out.put("from", from.toString());
    out.put("to", to.toString());
    ArrayNode groups = out.putArray("groupBy");
    groupBy.forEach(d -> groups.add(d.name().toLowerCase(Locale.ROOT)));
    ArrayNode data = out.putArray("data");
    for (UsageRow row : rows) {
      ObjectNode item = data.addObject();
      for (UsageDimension d : groupBy) {
        item.put(d.name().toLowerCase(Locale.ROOT), row.value(d));
      }
      totalsJson(item, row.totals());
    }
    return new AdminApiHandler.Reply(HttpResponseStatus.OK, out);
  }

  static void totalsJson(ObjectNode item, UsageTotals t) {
    item.put("requests", t.requests());
    item.put("errors", t.errors());
    item.put("billableUnits", t.billableUnits());
    item.put("overageUnits", t.overageUnits());
    item.put("inputTokens", t.inputTokens());
    item.put("outputTokens", t.outputTokens());
    item.put("cachedInputTokens", t.cachedInputTokens());
    item.put("cacheCreationInputTokens", t.cacheCreationInputTokens());
    item.put("reasoningTokens", t.reasoningTokens());
    item.put("audioInputTokens", t.audioInputTokens());
    item.put("audioOutputTokens", t.audioOutputTokens());
    item.put("costUsd", t.costMicroUsd() / 1e6);
    item.put("unpricedRequests", t.unpricedRequests());
  }

  private AdminApiHandler.Reply putAlerts(String tenantId, JsonNode body) {
    String invalid = AdminApiHandler.unknownFields(body, "url", "secret", "slack");
    String url = AdminApiHandler.text(body, "url");
    String secret = AdminApiHandler.text(body, "secret");
    if (invalid == null && (url == null || !(url.startsWith("https://") || url.startsWith("http://")))) {
      invalid = "url: " + AdminApiHandler.describe(url) + " (expected: an http or https URL)";
    }
    if (invalid == null && (secret == null || secret.length() < 16 || secret.length() > 256)) {
      invalid = "secret: missing or not 16..256 characters (expected: the signing secret you verify with)";
    }
    JsonNode slack = body.get("slack");
    if (invalid == null && slack != null && !slack.isBoolean()) {
      invalid = "slack: " + slack + " (expected: true or false)";
    }
    if (invalid != null) {
      return AdminApiHandler.badRequest(invalid);
    }
    WebhookTarget target;
    try {
      target = new WebhookTarget(URI.create(url), secret, slack != null && slack.asBoolean());
    } catch (IllegalArgumentException e) {
      return AdminApiHandler.badRequest("url: " + e.getMessage());
    }
    targets.put(tenantId, target);
    return new AdminApiHandler.Reply(HttpResponseStatus.OK, targetJson(target));
  }

  private static ObjectNode targetJson(WebhookTarget target) {
    ObjectNode out = AdminApiHandler.JSON.createObjectNode();
    out.put("url", target.url().toString());
    out.put("slack", target.slack());
    out.put("secret", "(set)");
    out.put("signature", "Tollgate-Signature: v1=<hex HMAC-SHA256(secret, Tollgate-Timestamp + \".\" + body)>");
    return out;
  }

  private static Optional<String> param(QueryStringDecoder query, String name) {
    List<String> values = query.parameters().get(name);
    return values == null || values.isEmpty() || values.get(0).isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }
}
