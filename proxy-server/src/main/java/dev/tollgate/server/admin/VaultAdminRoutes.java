package dev.tollgate.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.audit.AuditChain;
import dev.tollgate.core.audit.AuditRecord;
import dev.tollgate.core.audit.AuditVerification;
import dev.tollgate.core.store.SqliteAuditStore;
import dev.tollgate.core.store.StateStore;
import dev.tollgate.core.upstream.ProviderKeyResolver;
import dev.tollgate.core.vault.DekRotationResult;
import dev.tollgate.core.vault.KekRotationResult;
import dev.tollgate.core.vault.SecretMetadata;
import dev.tollgate.core.vault.Vault;
import dev.tollgate.core.vault.VaultException;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The admin routes of the vault and the audit trail: tenants' provider secrets (put, list names,
 * delete — values never leave the gateway), KEK rotation, per-tenant DEK rotation, and paging and
 * verifying the audit log. Runs on the store's executor (blocking calls).
 */
final class VaultAdminRoutes {

  private static final Pattern SECRETS = Pattern.compile("/admin/tenants/([^/]+)/secrets");
  private static final Pattern SECRET = Pattern.compile("/admin/tenants/([^/]+)/secrets/([^/]+)");
  private static final Pattern ROTATE_DEK = Pattern.compile("/admin/tenants/([^/]+)/secrets/rotate-dek");
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

  private final StateStore store;
  private final Supplier<Vault> vault;
  private final ProviderKeyResolver keys;
  private final SqliteAuditStore auditStore;

  private final dev.tollgate.core.audit.AuditLog audit;

  VaultAdminRoutes(StateStore store, Supplier<Vault> vault, ProviderKeyResolver keys, SqliteAuditStore auditStore,
      dev.tollgate.core.audit.AuditLog audit) {
    this.audit = audit;
    this.store = store;
    this.vault = vault;
    this.keys = keys;
    this.auditStore = auditStore;
  }

  /** The answer for {@code method path}, or null when the path is not one of these routes. */
  AdminApiHandler.Reply dispatch(HttpMethod method, String uri, String path, JsonNode body) {
    Matcher m;
    if (path.equals("/admin/audit") && method.equals(HttpMethod.GET)) {
      return audit(uri);
    }
    if (path.equals("/admin/audit/verify") && method.equals(HttpMethod.GET)) {
      return verifyAudit();
    }
    if (path.equals("/admin/vault/rotate") && method.equals(HttpMethod.POST)) {
      return withVault(v -> {
        KekRotationResult result = v.rotateKek();
        keys.invalidateAll();
        ObjectNode out = AdminApiHandler.JSON.createObjectNode();
        out.put("rewrapped", result.rewrapped());
        out.put("alreadyCurrent", result.alreadyCurrent());
        out.put("failed", result.failed());
        out.set("failedTenants", AdminApiHandler.JSON.valueToTree(result.failedTenants()));
        return new AdminApiHandler.Reply(result.failed() == 0 ? HttpResponseStatus.OK
            : HttpResponseStatus.INTERNAL_SERVER_ERROR, out);
      });
    }
    if ((m = ROTATE_DEK.matcher(path)).matches() && method.equals(HttpMethod.POST)) {
      String tenantId = m.group(1);
      if (store.tenant(tenantId).isEmpty()) {
        return AdminApiHandler.notFound("tenant", tenantId);
      }
      return withVault(v -> {
        DekRotationResult result = v.rotateDek(tenantId);
        keys.invalidateTenant(tenantId);
        ObjectNode out = AdminApiHandler.JSON.createObjectNode();
        out.put("tenant", tenantId);
        out.put("dekVersion", result.newDekVersion());
        out.put("reencrypted", result.reencrypted());
        return new AdminApiHandler.Reply(HttpResponseStatus.OK, out);
      });
    }
    if ((m = SECRET.matcher(path)).matches()) {
      String tenantId = m.group(1);
      String name = m.group(2);
      if (store.tenant(tenantId).isEmpty()) {
        return AdminApiHandler.notFound("tenant", tenantId);
      }
      if (method.equals(HttpMethod.PUT)) {
        return putSecret(tenantId, name, body);
      }
      if (method.equals(HttpMethod.DELETE)) {
        String project = new QueryStringDecoder(uri).parameters().getOrDefault("project", List.of("")).get(0);
        return withVault(v -> {
          boolean deleted = v.deleteSecret(tenantId, project, name);
          keys.invalidateTenant(tenantId);
          return deleted ? new AdminApiHandler.Reply(HttpResponseStatus.OK, AdminApiHandler.json("deleted", name))
              : AdminApiHandler.notFound("secret", name);
        });
      }
      return null;
    }
    if ((m = SECRETS.matcher(path)).matches() && method.equals(HttpMethod.GET)) {
      String tenantId = m.group(1);
      if (store.tenant(tenantId).isEmpty()) {
        return AdminApiHandler.notFound("tenant", tenantId);
      }
      return withVault(v -> {
        ArrayNode list = AdminApiHandler.JSON.createArrayNode();
        for (SecretMetadata meta : v.listSecrets(tenantId)) {
          list.add(metadataJson(meta));
        }
        ObjectNode out = AdminApiHandler.JSON.createObjectNode();
        out.set("data", list);
        return new AdminApiHandler.Reply(HttpResponseStatus.OK, out);
      });
    }
    return null;
  }

  private AdminApiHandler.Reply putSecret(String tenantId, String name, JsonNode body) {
    String invalid = AdminApiHandler.unknownFields(body, "value", "project");
    if (invalid == null && !NAME.matcher(name).matches()) {
      invalid = "name: " + AdminApiHandler.describe(name) + " (expected: a provider name such as 'openai')";
    }
    JsonNode value = body.get("value");
    if (invalid == null && (value == null || !value.isTextual() || value.asText().isBlank()
        || value.asText().length() > 4096)) {
      invalid = "value: missing or not a string of 1..4096 characters";
    }
    String project = AdminApiHandler.text(body, "project");
    if (invalid == null && project != null) {
      invalid = AdminApiHandler.checkId("project", project);
      if (invalid == null && store.project(tenantId, project).isEmpty()) {
        invalid = "project: '" + project + "' does not exist in tenant '" + tenantId + "'";
      }
    }
    if (invalid != null) {
      return AdminApiHandler.badRequest(invalid);
    }
    return withVault(v -> {
      SecretMetadata meta = v.putSecret(tenantId, project, name, value.asText());
      keys.invalidateTenant(tenantId);
      return new AdminApiHandler.Reply(HttpResponseStatus.OK, metadataJson(meta));
    });
  }

  private AdminApiHandler.Reply audit(String uri) {
    QueryStringDecoder query = new QueryStringDecoder(uri);
    String tenant = param(query, "tenant");
    String action = param(query, "action");
    Long from;
    Long to;
    long after;
    int limit;
    try {
      from = param(query, "from") == null ? null : Instant.parse(param(query, "from")).toEpochMilli();
      to = param(query, "to") == null ? null : Instant.parse(param(query, "to")).toEpochMilli();
    } catch (DateTimeParseException e) {
      return AdminApiHandler.badRequest("from/to: not an ISO-8601 instant (expected: e.g. 2026-11-01T00:00:00Z)");
    }
    try {
      after = param(query, "after") == null ? 0 : Long.parseLong(param(query, "after"));
      limit = param(query, "limit") == null ? 100 : Integer.parseInt(param(query, "limit"));
    } catch (NumberFormatException e) {
      return AdminApiHandler.badRequest("after/limit: not a number");
    }
    if (limit < 1 || limit > 1000) {
      return AdminApiHandler.badRequest("limit: " + limit + " (expected: 1..1000)");
    }
    if (from != null && to != null && from > to) {
      return AdminApiHandler.badRequest("from: after to (expected: from <= to)");
    }
    List<AuditRecord> records = auditStore.search(tenant, from, to, action, after, limit);
    ArrayNode list = AdminApiHandler.JSON.createArrayNode();
    for (AuditRecord r : records) {
      ObjectNode row = list.addObject();
      row.put("seq", r.seq());
      row.put("time", r.time().toString());
      row.put("actor", r.actor());
      row.put("tenant", r.tenantId());
      row.put("action", r.action());
      row.put("target", r.target());
      row.put("source", r.sourceAddress());
      row.put("outcome", r.outcome().name());
      row.put("hash", r.hash());
    }
    ObjectNode out = AdminApiHandler.JSON.createObjectNode();
    out.set("data", list);
    if (records.size() == limit) {
      out.put("next", "after=" + records.get(records.size() - 1).seq());
    }
    return new AdminApiHandler.Reply(HttpResponseStatus.OK, out);
  }

  private AdminApiHandler.Reply verifyAudit() {
    List<AuditRecord> all = new ArrayList<>();
    long next = 1;
    while (true) {
      List<AuditRecord> page = auditStore.range(next, 5000);
      all.addAll(page);
      if (page.size() < 5000) {
        break;
      }
      next = page.get(page.size() - 1).seq() + 1;
    }
    String head = audit.headHash();
    // against the head this process appended, a deleted newest record is caught too
    AuditVerification result = head == null ? AuditChain.verify(all) : AuditChain.verifyAgainstHead(all, head);
    ObjectNode out = AdminApiHandler.JSON.createObjectNode();
    out.put("intact", result.intact());
    out.put("recordsChecked", result.recordsChecked());
    if (!result.intact()) {
      result.firstBrokenSeq().ifPresent(seq -> out.put("firstBrokenSeq", seq));
      out.put("reason", result.reason());
    }
    return new AdminApiHandler.Reply(result.intact() ? HttpResponseStatus.OK : HttpResponseStatus.CONFLICT, out);
  }

  private AdminApiHandler.Reply withVault(java.util.function.Function<Vault, AdminApiHandler.Reply> work) {
    Vault v = vault.get();
    if (v == null) {
      return new AdminApiHandler.Reply(HttpResponseStatus.SERVICE_UNAVAILABLE, AdminApiHandler.error(
          "The vault is off: configure a key-encryption key (vault.keks, e.g. TOLLGATE_KEK).", "vault_disabled"));
    }
    try {
      return work.apply(v);
    } catch (VaultException e) {
      // the message names tenant, secret or KEK id, never key material
      return new AdminApiHandler.Reply(HttpResponseStatus.INTERNAL_SERVER_ERROR,
          AdminApiHandler.error(e.getMessage(), "vault_error"));
    } catch (IllegalArgumentException e) {
      return AdminApiHandler.badRequest(e.getMessage());
    }
  }

  private static ObjectNode metadataJson(SecretMetadata meta) {
    ObjectNode out = AdminApiHandler.JSON.createObjectNode();
    out.put("name", meta.name());
    out.put("scope", meta.scope().name().toLowerCase(java.util.Locale.ROOT));
    out.put("project", meta.projectId() == null || meta.projectId().isEmpty() ? null : meta.projectId());
    out.put("createdAt", meta.createdAt().toString());
    out.put("rotatedAt", meta.rotatedAt() == null ? null : meta.rotatedAt().toString());
    out.put("dekVersion", meta.dekVersion());
    out.put("kekId", meta.kekId());
    out.put("suffix", meta.suffix());
    return out;
  }

  private static String param(QueryStringDecoder query, String name) {
    List<String> values = query.parameters().get(name);
    return values == null || values.isEmpty() || values.get(0).isEmpty() ? null : values.get(0);
  }
}
