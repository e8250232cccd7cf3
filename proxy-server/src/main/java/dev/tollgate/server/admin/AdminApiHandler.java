package dev.tollgate.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.auth.ApiKeyVerifier;
import dev.tollgate.core.auth.ApiKeys;
import dev.tollgate.core.audit.AuditEvent;
import dev.tollgate.core.audit.AuditLog;
import dev.tollgate.core.audit.AuditOutcome;
import dev.tollgate.core.alert.AlertTargets;
import dev.tollgate.core.auth.TenantDirectory;
import dev.tollgate.core.ledger.UsageLedger;
import dev.tollgate.core.store.SqliteAuditStore;
import dev.tollgate.core.upstream.ProviderKeyResolver;
import dev.tollgate.core.vault.Vault;
import dev.tollgate.core.concurrency.InFlightCounter;
import dev.tollgate.core.config.ConfigHolder;
import dev.tollgate.core.plan.Plan;
import dev.tollgate.core.plan.PlanCatalogue;
import dev.tollgate.core.quota.QuotaHandler;
import dev.tollgate.core.quota.QuotaLedger;
import dev.tollgate.core.metrics.GatewayMetrics;
import dev.tollgate.core.store.ApiKeyRecord;
import dev.tollgate.core.store.ProjectRecord;
import dev.tollgate.core.store.StateStore;
import dev.tollgate.core.store.TenantRecord;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin and ops listener's terminal handler: {@code /healthz}, {@code /readyz}, {@code /metrics}
 * without auth, and the JSON admin API under {@code /admin} behind the bearer admin token. Store calls
 * run on the store's executor; the answer is written back on this channel's event loop. Keys are shown
 * once, at creation; listings never include them.
 */
public final class AdminApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  private static final Logger log = LoggerFactory.getLogger(AdminApiHandler.class);
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
  private static final Pattern TENANT = Pattern.compile("/admin/tenants/([^/]+)");
  private static final Pattern PROJECTS = Pattern.compile("/admin/tenants/([^/]+)/projects");
  private static final Pattern KEYS = Pattern.compile("/admin/tenants/([^/]+)/keys");
  private static final Pattern KEY = Pattern.compile("/admin/tenants/([^/]+)/keys/([^/]+)");

  private final ConfigHolder config;
  private final StateStore store;
  private final ApiKeyVerifier verifier;
  private final GatewayMetrics metrics;
  private final TenantDirectory tenants;
  private final QuotaHandler.Ledgers ledgers;
  private final InFlightCounter inFlight;
  private final VaultAdminRoutes vaultRoutes;
  private UsageAdminRoutes usageRoutes;
  private UsageLedger ledger;
  private final AuditLog audit;
  private static final Pattern TENANT_PREFIX = Pattern.compile("/admin/tenants/([^/]+)");
  private static final Pattern STANDING = Pattern.compile("/admin/tenants/([^/]+)/standing");
  private static final Pattern JWT = Pattern.compile("/admin/tenants/([^/]+)/jwt");
  private final JwtAdminRoutes jwtRoutes;

  public AdminApiHandler(ConfigHolder config, StateStore store, ApiKeyVerifier verifier, GatewayMetrics metrics,
      TenantDirectory tenants, QuotaHandler.Ledgers ledgers, InFlightCounter inFlight,
      Supplier<Vault> vault, ProviderKeyResolver providerKeys, SqliteAuditStore auditStore, AuditLog audit,
      JwtAdminRoutes jwtRoutes) {
    this.vaultRoutes = new VaultAdminRoutes(store, vault, providerKeys, auditStore, audit);
    this.audit = audit;
    this.config = config;
    this.store = store;
    this.verifier = verifier;
    this.metrics = metrics;
    this.tenants = tenants;
    this.ledgers = ledgers;
    this.inFlight = inFlight;
    this.jwtRoutes = jwtRoutes;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    String uri = request.uri();
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    HttpMethod method = request.method();
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    if (path.equals("/healthz") && method.equals(HttpMethod.GET)) {
      send(ctx, keepAlive, HttpResponseStatus.OK, json("status", "ok"));
      return;
    }
    if (path.equals("/readyz") && method.equals(HttpMethod.GET)) {
      async(ctx, keepAlive, () -> store.ping()
          ? new Reply(HttpResponseStatus.OK, json("status", "ready"))
          : new Reply(HttpResponseStatus.SERVICE_UNAVAILABLE, json("status", "store unreachable")));
      return;
    }
    if (path.equals("/metrics") && method.equals(HttpMethod.GET)) {
      byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
          Unpooled.wrappedBuffer(body));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
      write(ctx, keepAlive, response);
      return;
    }
    if (!path.startsWith("/admin/")) {
      send(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, error("Unknown path.", "not_found"));
      return;
    }
    if (!authorized(request)) {
      audit.authFailure(sourceOf(ctx), "admin " + method + " " + path);
      send(ctx, keepAlive, HttpResponseStatus.UNAUTHORIZED,
          error("Missing or invalid admin token.", "invalid_admin_token"));
      return;
    }
    JsonNode body;
    try {
      body = readBody(request);
    } catch (IOException e) {
      send(ctx, keepAlive, HttpResponseStatus.BAD_REQUEST, error("body: not valid JSON", "invalid_json"));
      return;
    }
    String source = sourceOf(ctx);
    String accept = request.headers().get(HttpHeaderNames.ACCEPT);
    boolean wantsCsv = accept != null && accept.contains("text/csv");
    async(ctx, keepAlive, () -> {
      Reply reply = vaultRoutes.dispatch(method, uri, path, body);
      if (reply == null && usageRoutes != null) {
        reply = usageRoutes.dispatch(method, uri, path, body, wantsCsv);
      }
      if (reply == null) {
        reply = dispatch(method, path, body);
      }
      if (!method.equals(HttpMethod.GET)) {
        auditAdminAction(method, path, body, source, reply.status());
      }
      return reply;
    });
  }

  /** Every admin change leaves an audit record: who (admin token id), what, on which tenant, outcome. */
  private void auditAdminAction(HttpMethod method, String path, JsonNode body, String source,
      HttpResponseStatus status) {
    Matcher tenant = TENANT_PREFIX.matcher(path);
    String tenantId = tenant.lookingAt() ? tenant.group(1) : null;
    if (tenantId == null && path.equals("/admin/tenants") && checkId("id", text(body, "id")) == null) {
      tenantId = text(body, "id"); // a tenant creation names its tenant in the body, not the path
    }
    AuditOutcome outcome = status.code() < 400 ? AuditOutcome.SUCCESS
        : status.code() == 401 || status.code() == 403 ? AuditOutcome.DENIED : AuditOutcome.FAILURE;
    audit.record(new AuditEvent(adminActor(), tenantId, "admin " + method + " " + template(path), path, source,
        outcome));
  }

  private String adminActor() {
    String token = config.current().admin().token();
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return "admin:" + java.util.HexFormat.of().formatHex(digest, 0, 4);
    } catch (java.security.NoSuchAlgorithmException e) {
      return "admin";
    }
  }

  /** The route shape of an admin path: ids replaced by placeholders, for the audit action name. */
  private static String template(String path) {
    return path.replaceFirst("^/admin/tenants/[^/]+", "/admin/tenants/{id}")
        .replaceFirst("/keys/[^/]+$", "/keys/{keyId}")
        .replaceFirst("/secrets/(?!rotate-dek$)[^/]+$", "/secrets/{name}");
  }

  private static String sourceOf(ChannelHandlerContext ctx) {
    return ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress inet ? inet.getHostString() : null;
  }

  private Reply dispatch(HttpMethod method, String path, JsonNode body) {
    Matcher m;
    if (path.equals("/admin/tenants") && method.equals(HttpMethod.POST)) {
      return createTenant(body);
    }
    if ((m = KEY.matcher(path)).matches() && method.equals(HttpMethod.DELETE)) {
      return revokeKey(m.group(1), m.group(2));
    }
    if ((m = KEYS.matcher(path)).matches()) {
      if (method.equals(HttpMethod.POST)) {
        return createKey(m.group(1), body);
      }
      if (method.equals(HttpMethod.GET)) {
        return listKeys(m.group(1));
      }
    }
    if ((m = PROJECTS.matcher(path)).matches()) {
      if (method.equals(HttpMethod.POST)) {
        return createProject(m.group(1), body);
      }
      if (method.equals(HttpMethod.GET)) {
        return listProjects(m.group(1));
      }
    }
    if ((m = JWT.matcher(path)).matches()) {
      JwtAdminRoutes.Reply reply = jwtRoutes.handle(method, m.group(1), body);
      return new Reply(reply.status(), reply.body());
    }
    if ((m = STANDING.matcher(path)).matches() && method.equals(HttpMethod.GET)) {
      return standing(m.group(1));
    }
    if ((m = TENANT.matcher(path)).matches() && method.equals(HttpMethod.PATCH)) {
      return patchTenant(m.group(1), body);
    }
    if ((m = TENANT.matcher(path)).matches() && method.equals(HttpMethod.GET)) {
      String tenantId = m.group(1);
      return store.tenant(tenantId)
          .map(t -> new Reply(HttpResponseStatus.OK, tenantJson(t)))
          .orElseGet(() -> notFound("tenant", tenantId));
    }
    return new Reply(HttpResponseStatus.NOT_FOUND, error("Unknown admin route: " + method + " " + path, "not_found"));
  }

  private Reply createTenant(JsonNode body) {
    String id = text(body, "id");
    String name = text(body, "name");
    String plan = text(body, "plan");
    String invalid = firstInvalid(
        checkId("id", id),
        name == null || name.isBlank() || name.length() > 200 ? "name: missing or longer than 200 characters (expected: 1..200 characters)" : null,
        plan == null || !ID.matcher(plan).matches() ? "plan: " + describe(plan) + " (expected: a plan name such as 'free')" : null,
        unknownFields(body, "id", "name", "plan"));
    if (invalid == null) {
      invalid = unknownPlan(plan);
    }
    if (invalid != null) {
      return badRequest(invalid);
    }
    long now = System.currentTimeMillis();
    TenantRecord tenant = new TenantRecord(id, name, plan, now);
    if (!store.createTenant(tenant)) {
      return new Reply(HttpResponseStatus.CONFLICT, error("tenant '" + id + "' already exists", "conflict"));
    }
    store.createProject(new ProjectRecord(id, "default", "Default project", now));
    return new Reply(HttpResponseStatus.CREATED, tenantJson(tenant));
  }

  /** Adds the metering routes (usage JSON/CSV, alert webhooks) and cost/margin in the standing. */
  public AdminApiHandler withMetering(UsageLedger usageLedger, AlertTargets alertTargets) {
    this.ledger = usageLedger;
    this.usageRoutes = new UsageAdminRoutes(store, usageLedger, alertTargets);
    return this;
  }

  /** PATCH {plan?, overage?, overrides?}: a plan change applies from the next request. */
  private Reply patchTenant(String tenantId, JsonNode body) {
    java.util.Optional<TenantRecord> existing = store.tenant(tenantId);
    if (existing.isEmpty()) {
      return notFound("tenant", tenantId);
    }
    String invalid = unknownFields(body, "plan", "overage", "overrides");
    if (invalid != null) {
      return badRequest(invalid);
    }
    TenantRecord current = existing.get();
    String plan = body.has("plan") ? text(body, "plan") : current.plan();
    if (plan == null || (invalid = unknownPlan(plan)) != null) {
      return badRequest(invalid != null ? invalid : "plan: null (expected: a plan name)");
    }
    boolean overage = current.overage();
    if (body.has("overage")) {
      if (!body.get("overage").isBoolean()) {
        return badRequest("overage: " + body.get("overage") + " (expected: true or false)");
      }
      overage = body.get("overage").asBoolean();
    }
    java.util.Map<String, Object> overrides = current.overrides();
    if (body.has("overrides")) {
      if (!body.get("overrides").isObject()) {
        return badRequest("overrides: expected an object of plan keys, e.g. {\"includedUnits\": 5000000}");
      }
      @SuppressWarnings("unchecked")
      java.util.Map<String, Object> parsed = JSON.convertValue(body.get("overrides"), java.util.Map.class);
      overrides = parsed;
    }
    Plan target = ledgers.plans().catalogue().plan(plan).orElseThrow();
    if (!overrides.isEmpty()) {
      if (!target.custom()) {
        return badRequest("overrides: plan '" + target.name() + "' is not a custom plan (expected: no overrides)");
      }
      try {
        target.withOverrides(overrides);
      } catch (RuntimeException e) {
        return badRequest("overrides." + e.getMessage());
      }
    }
    if (overage && target.hardCap()) {
      return badRequest("overage: true (plan '" + target.name() + "' has a hard cap; expected: false)");
    }
    TenantRecord updated = current.withSettings(plan, overage, overrides);
    store.updateTenant(updated);
    tenants.invalidate(tenantId);
    return new Reply(HttpResponseStatus.OK, tenantJson(updated));
  }

  /** The current period: used, included, remaining, billable overage, reset time. */
  private Reply standing(String tenantId) {
    java.util.Optional<TenantRecord> tenant = store.tenant(tenantId);
    if (tenant.isEmpty()) {
      return notFound("tenant", tenantId);
    }
    PlanCatalogue catalogue = ledgers.plans().catalogue();
    Plan plan = ledgers.plans().planOf(tenant.get());
    QuotaLedger.Consumption used = ledgers.requests().consumption(tenantId);
    ObjectNode out = JSON.createObjectNode();
    out.put("tenant", tenantId);
    out.put("catalogue", catalogue.name());
    out.put("plan", tenant.get().plan());
    out.put("unit", catalogue.unit());
    out.put("periodResetsAt", java.time.Instant.ofEpochMilli(used.resetAtMillis()).toString());
    if (plan != null) {
      out.put("included", plan.includedUnits());
      out.put("used", used.includedUnits() + used.overageUnits());
      out.put("remaining", Math.max(0, plan.includedUnits() - used.includedUnits()));
      out.put("hardCap", plan.hardCap());
      out.put("overageAllowed", plan.overageAllowed(tenant.get().overage()));
    }
    out.put("overageOptIn", tenant.get().overage());
    out.put("billableOverageUnits", used.overageUnits());
    out.put("leasedUnits", used.leasedUnits());
    out.put("inFlightRequests", inFlight.inFlight(tenantId));
    if (ledger != null) {
      java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
      java.util.List<dev.tollgate.core.ledger.UsageRow> month = ledger.query(tenantId, today.withDayOfMonth(1), today,
          java.util.Set.of());
      long costMicros = month.isEmpty() ? 0 : month.get(0).totals().costMicroUsd();
      out.put("providerCostUsd", costMicros / 1e6);
      if (plan != null && plan.priceCents() != null) {
        double priceUsd = plan.priceCents() / 100.0 * config.current().metering().planCurrencyToUsd();
        out.put("planPrice", plan.priceCents() / 100.0);
        out.put("planCurrency", plan.currency());
        out.put("planPriceUsd", priceUsd);
        out.put("marginUsd", priceUsd - costMicros / 1e6);
      }
    }
    if (plan != null && plan.monthlyTokenBudget() != null) {
      QuotaLedger.Consumption tokens = ledgers.tokens().consumption(tenantId);
      out.put("tokenBudget", plan.monthlyTokenBudget());
      out.put("tokensUsed", tokens.includedUnits());
    }
    if (plan != null && plan.monthlyCostBudgetMicroUsd() != null) {
      QuotaLedger.Consumption cost = ledgers.costMicroUsd().consumption(tenantId);
      out.put("costBudgetUsd", plan.monthlyCostBudgetMicroUsd() / 1e6);
      out.put("costUsedUsd", cost.includedUnits() / 1e6);
    }
    return new Reply(HttpResponseStatus.OK, out);
  }

  private String unknownPlan(String plan) {
    PlanCatalogue catalogue = ledgers.plans().catalogue();
    if (catalogue.plan(plan).isPresent()) {
      return null;
    }
    return "plan: '" + plan + "' is not in catalogue '" + catalogue.name() + "' (expected one of "
        + catalogue.plans().stream().map(Plan::name).toList() + ")";
  }

  private Reply createProject(String tenantId, JsonNode body) {
    if (store.tenant(tenantId).isEmpty()) {
      return notFound("tenant", tenantId);
    }
    String id = text(body, "id");
    String name = text(body, "name");
    String invalid = firstInvalid(checkId("id", id),
        name != null && name.length() > 200 ? "name: longer than 200 characters (expected: at most 200)" : null,
        unknownFields(body, "id", "name"));
    if (invalid != null) {
      return badRequest(invalid);
    }
    ProjectRecord project = new ProjectRecord(tenantId, id, name == null ? id : name, System.currentTimeMillis());
    if (!store.createProject(project)) {
      return new Reply(HttpResponseStatus.CONFLICT, error("project '" + id + "' already exists", "conflict"));
    }
    return new Reply(HttpResponseStatus.CREATED, projectJson(project));
  }

  private Reply listProjects(String tenantId) {
    if (store.tenant(tenantId).isEmpty()) {
      return notFound("tenant", tenantId);
    }
    ArrayNode list = JSON.createArrayNode();
    store.projects(tenantId).forEach(p -> list.add(projectJson(p)));
    ObjectNode out = JSON.createObjectNode();
    out.set("data", list);
    return new Reply(HttpResponseStatus.OK, out);
  }

  private Reply createKey(String tenantId, JsonNode body) {
    if (store.tenant(tenantId).isEmpty()) {
      return notFound("tenant", tenantId);
    }
    String project = text(body, "project");
    String name = text(body, "name");
    String invalid = firstInvalid(
        project != null ? checkId("project", project) : null,
        name != null && (name.isBlank() || name.length() > 200) ? "name: empty or longer than 200 characters (expected: 1..200 characters)" : null,
        unknownFields(body, "project", "name"));
    if (invalid != null) {
      return badRequest(invalid);
    }
    String projectId = project == null ? "default" : project;
    if (store.project(tenantId, projectId).isEmpty()) {
      return badRequest("project: '" + projectId + "' does not exist in tenant '" + tenantId + "'");
    }
    String key = ApiKeys.generate();
    ApiKeyRecord record = new ApiKeyRecord(ApiKeys.newId("key_"), tenantId, projectId,
        name == null ? "" : name, ApiKeys.lookupPrefix(key), ApiKeys.hash(key), System.currentTimeMillis(), 0);
    store.createKey(record);
    ObjectNode out = keyJson(record);
    out.put("key", key); // shown once, here
    return new Reply(HttpResponseStatus.CREATED, out);
  }

  private Reply listKeys(String tenantId) {
    if (store.tenant(tenantId).isEmpty()) {
      return notFound("tenant", tenantId);
    }
    ArrayNode list = JSON.createArrayNode();
    store.keys(tenantId).forEach(k -> list.add(keyJson(k)));
    ObjectNode out = JSON.createObjectNode();
    out.set("data", list);
    return new Reply(HttpResponseStatus.OK, out);
  }

  private Reply revokeKey(String tenantId, String keyId) {
    if (store.tenant(tenantId).isEmpty()) {
      return notFound("tenant", tenantId);
    }
    return store.revokeKey(tenantId, keyId, System.currentTimeMillis())
        .map(k -> {
          verifier.invalidate(k.hash());
          return new Reply(HttpResponseStatus.OK, keyJson(k));
        })
        .orElseGet(() -> notFound("key", keyId));
  }

  private void async(ChannelHandlerContext ctx, boolean keepAlive, Supplier<Reply> work) {
    CompletableFuture.supplyAsync(work, store.executor()).whenComplete((reply, error) ->
        ctx.executor().execute(() -> {
          if (error != null) {
            log.error("admin call failed", error);
            send(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR, error("Internal error.", "internal_error"));
          } else if (reply.text() != null) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, reply.status(),
                Unpooled.wrappedBuffer(reply.text().getBytes(StandardCharsets.UTF_8)));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
            write(ctx, keepAlive, response);
          } else {
            send(ctx, keepAlive, reply.status(), reply.body());
          }
        }));
  }

  private boolean authorized(FullHttpRequest request) {
    String token = config.current().admin().token();
    String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (token.isEmpty() || header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] presented = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(presented, token.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonNode readBody(FullHttpRequest request) throws IOException {
    if (!request.content().isReadable()) {
      return JSON.createObjectNode();
    }
    JsonNode node = JSON.readTree((java.io.InputStream) new ByteBufInputStream(request.content().duplicate()));
    if (node == null || !node.isObject()) {
      throw new IOException("not an object");
    }
    return node;
  }

  private static void send(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, JsonNode body) {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (IOException e) {
      bytes = "{}".getBytes(StandardCharsets.UTF_8);
    }
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    write(ctx, keepAlive, response);
  }

  private static void write(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
    HttpUtil.setContentLength(response, response.content().readableBytes());
    HttpUtil.setKeepAlive(response, keepAlive);
    var future = ctx.writeAndFlush(response);
    if (!keepAlive) {
      future.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private static ObjectNode tenantJson(TenantRecord t) {
    ObjectNode out = JSON.createObjectNode();
    out.put("id", t.id());
    out.put("name", t.name());
    out.put("plan", t.plan());
    out.put("overage", t.overage());
    out.set("overrides", JSON.valueToTree(t.overrides()));
    out.put("createdAt", java.time.Instant.ofEpochMilli(t.createdAtMillis()).toString());
    return out;
  }

  private static ObjectNode projectJson(ProjectRecord p) {
    ObjectNode out = JSON.createObjectNode();
    out.put("id", p.id());
    out.put("tenant", p.tenantId());
    out.put("name", p.name());
    out.put("createdAt", java.time.Instant.ofEpochMilli(p.createdAtMillis()).toString());
    return out;
  }

  private static ObjectNode keyJson(ApiKeyRecord k) {
    ObjectNode out = JSON.createObjectNode();
    out.put("id", k.id());
    out.put("tenant", k.tenantId());
    out.put("project", k.projectId());
    out.put("name", k.name());
    out.put("prefix", ApiKeys.PREFIX + k.prefix());
    out.put("createdAt", java.time.Instant.ofEpochMilli(k.createdAtMillis()).toString());
    if (k.active()) {
      out.putNull("revokedAt");
    } else {
      out.put("revokedAt", java.time.Instant.ofEpochMilli(k.revokedAtMillis()).toString());
    }
    out.put("active", k.active());
    return out;
  }

  static String text(JsonNode body, String field) {
    JsonNode node = body.get(field);
    return node == null || node.isNull() ? null : node.isTextual() ? node.asText() : node.toString();
  }

  static String checkId(String field, String value) {
    if (value == null || !ID.matcher(value).matches()) {
      return field + ": " + describe(value) + " (expected: 1..63 of a-z, 0-9, '_' or '-', starting with a letter or digit)";
    }
    return null;
  }

  static String describe(String value) {
    if (value == null) {
      return "missing";
    }
    return value.length() > 64 ? "'" + value.substring(0, 64) + "...'" : "'" + value + "'";
  }

  static String unknownFields(JsonNode body, String... known) {
    var names = body.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!java.util.List.of(known).contains(name)) {
        return name + ": unknown field (expected one of " + String.join(", ", known) + ")";
      }
    }
    return null;
  }

  private static String firstInvalid(String... problems) {
    for (String p : problems) {
      if (p != null) {
        return p;
      }
    }
    return null;
  }

  static Reply badRequest(String message) {
    return new Reply(HttpResponseStatus.BAD_REQUEST, error(message, "invalid_request"));
  }

  static Reply notFound(String what, String id) {
    return new Reply(HttpResponseStatus.NOT_FOUND, error(what + " '" + (id.length() > 64 ? id.substring(0, 64) : id) + "' not found", "not_found"));
  }

  static ObjectNode json(String key, String value) {
    ObjectNode out = JSON.createObjectNode();
    out.put(key, value);
    return out;
  }

  static ObjectNode error(String message, String code) {
    ObjectNode out = JSON.createObjectNode();
    ObjectNode error = out.putObject("error");
    error.put("message", message);
    error.put("type", "invalid_request_error");
    error.put("code", code);
    return out;
  }

  /** An admin API answer: status and a JSON body, or a text body with its content type (CSV). */
  record Reply(HttpResponseStatus status, JsonNode body, String text, String contentType) {
    Reply(HttpResponseStatus status, JsonNode body) {
      this(status, body, null, null);
    }
  }
}
