package dev.tollgate.server.vault;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.server.testing.TestGateway;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The audit trail through the admin API: admin changes recorded with the admin token's id, auth-failure
 * floods capped, the hash chain verified and broken by an edited or deleted row, and paging.
 */
class AuditTrailIT {

  static WireMockServer upstream;
  static TestGateway gateway;
  static String actor;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    upstream = VaultFixture.upstream();
    gateway = TestGateway.start(VaultFixture.yaml(upstream.baseUrl(), "k1", VaultFixture.newKek()));
    byte[] digest = MessageDigest.getInstance("SHA-256")
        .digest(TestGateway.ADMIN_TOKEN.getBytes(StandardCharsets.UTF_8));
    actor = "admin:" + HexFormat.of().formatHex(digest, 0, 4);
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    upstream.stop();
  }

  @Test
  void everyAdminChangeIsRecordedWithTheAdminIdActionAndOutcome() throws Exception {
    gateway.createTenant("audited", "free");
    String keyId = gateway.createKey("audited").get("id").asText();
    gateway.admin("DELETE", "/admin/tenants/audited/keys/" + keyId, null, 200);
    VaultFixture.putSecret(gateway, "audited", "openai", VaultFixture.secret("sk-audited-"));
    gateway.admin("PUT", "/admin/tenants/audited/secrets/openai", "{\"value\":\"\"}", 400);
    gateway.admin("POST", "/admin/tenants/audited/secrets/rotate-dek", null, 200);
    gateway.admin("DELETE", "/admin/tenants/audited/secrets/openai", null, 200);
    gateway.admin("PATCH", "/admin/tenants/audited", "{\"plan\":\"test\"}", 200);
    gateway.admin("POST", "/admin/vault/rotate", null, 200);

    List<JsonNode> rows = audit("tenant=audited");

    assertThat(rows).allSatisfy(row -> {
      assertThat(row.get("actor").asText()).isEqualTo(actor);
      assertThat(row.get("tenant").asText()).isEqualTo("audited");
    });
    assertThat(rows).extracting(row -> row.get("action").asText() + " " + row.get("outcome").asText())
        .containsExactly(
            "admin POST /admin/tenants SUCCESS",
            "admin POST /admin/tenants/{id}/keys SUCCESS",
            "admin DELETE /admin/tenants/{id}/keys/{keyId} SUCCESS",
            "admin PUT /admin/tenants/{id}/secrets/{name} SUCCESS",
            "admin PUT /admin/tenants/{id}/secrets/{name} FAILURE",
            "admin POST /admin/tenants/{id}/secrets/rotate-dek SUCCESS",
            "admin DELETE /admin/tenants/{id}/secrets/{name} SUCCESS",
            "admin PATCH /admin/tenants/{id} SUCCESS");
    assertThat(rows.get(2).get("target").asText()).endsWith(keyId);
    List<JsonNode> rotations =
        audit("action=" + URLEncoder.encode("admin POST /admin/vault/rotate", StandardCharsets.UTF_8));
    assertThat(rotations).isNotEmpty().allSatisfy(row -> {
      assertThat(row.get("actor").asText()).isEqualTo(actor);
      assertThat(row.get("outcome").asText()).isEqualTo("SUCCESS");
    });
  }

  @Test
  void aFloodOfBadCredentialsLeavesAFewRecordsNotOneEach() throws Exception {
    for (int i = 0; i < 200; i++) {
      HttpResponse<String> response = VaultFixture.chat(http, gateway, "tg_not-a-real-key-" + i);
      assertThat(response.statusCode()).isEqualTo(401);
    }
    for (int i = 0; i < 10; i++) {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(gateway.adminUrl() + "/admin/audit"))
          .header("Authorization", "Bearer wrong-admin-token-" + i).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(401);
    }

    List<JsonNode> failures = waitForAtLeast("action=auth.failure", 20);

    assertThat(failures).hasSize(20); // the per-source allowance of one window, out of 210 failures
    assertThat(failures).allSatisfy(row -> {
      assertThat(row.get("actor").asText()).isEqualTo("anonymous");
      assertThat(row.get("outcome").asText()).isEqualTo("DENIED");
      assertThat(row.get("source").asText()).isEqualTo("127.0.0.1");
      assertThat(row.toString()).doesNotContain("tg_not-a-real-key").doesNotContain("wrong-admin-token");
    });
  }

  @Test
  void verifyFindsTheFirstEditedOrDeletedRecordAndIsIntactOnceRestored() throws Exception {
    gateway.createTenant("chained", "free");
    gateway.createKey("chained");
    gateway.createKey("chained");
    JsonNode intact = gateway.admin("GET", "/admin/audit/verify", null, 200);
    assertThat(intact.get("intact").asBoolean()).isTrue();
    // a record with a successor: deleting the newest one is a truncated tail, which a chain alone cannot see
    long victim = audit("tenant=chained").get(0).get("seq").asLong();

    try (Connection c = VaultFixture.sql(VaultFixture.database(gateway))) {
      String target = scalar(c, "SELECT target FROM audit_log WHERE seq = " + victim);
      update(c, "UPDATE audit_log SET target = '/admin/tenants/someone-else/keys' WHERE seq = " + victim);
      JsonNode edited = gateway.admin("GET", "/admin/audit/verify", null, 409);
      assertThat(edited.get("intact").asBoolean()).isFalse();
      assertThat(edited.get("firstBrokenSeq").asLong()).isEqualTo(victim);

      update(c, "UPDATE audit_log SET target = '" + target + "' WHERE seq = " + victim);
      assertThat(gateway.admin("GET", "/admin/audit/verify", null, 200).get("intact").asBoolean()).isTrue();

      update(c, "CREATE TEMP TABLE kept AS SELECT * FROM audit_log WHERE seq = " + victim);
      update(c, "DELETE FROM audit_log WHERE seq = " + victim);
      JsonNode deleted = gateway.admin("GET", "/admin/audit/verify", null, 409);
      assertThat(deleted.get("intact").asBoolean()).isFalse();
      assertThat(deleted.get("firstBrokenSeq").asLong()).isEqualTo(victim);
      assertThat(deleted.get("reason").asText()).contains("deleted");

      update(c, "INSERT INTO audit_log SELECT * FROM kept");
      assertThat(gateway.admin("GET", "/admin/audit/verify", null, 200).get("intact").asBoolean()).isTrue();
    }
  }

  @Test
  void verifyCatchesTheNewestRecordDeletedBehindTheGatewaysBack() throws Exception {
    gateway.createTenant("truncated", "free");
    gateway.createKey("truncated");
    assertThat(gateway.admin("GET", "/admin/audit/verify", null, 200).get("intact").asBoolean()).isTrue();

    try (Connection c = VaultFixture.sql(VaultFixture.database(gateway))) {
      long newest = Long.parseLong(scalar(c, "SELECT MAX(seq) FROM audit_log"));
      update(c, "CREATE TEMP TABLE newest AS SELECT * FROM audit_log WHERE seq = " + newest);
      update(c, "DELETE FROM audit_log WHERE seq = " + newest);
      JsonNode truncated = gateway.admin("GET", "/admin/audit/verify", null, 409);
      assertThat(truncated.get("intact").asBoolean()).isFalse();
      assertThat(truncated.get("firstBrokenSeq").asLong()).isEqualTo(newest);

      update(c, "INSERT INTO audit_log SELECT * FROM newest");
      assertThat(gateway.admin("GET", "/admin/audit/verify", null, 200).get("intact").asBoolean()).isTrue();
    }
  }

  @Test
  void pagesWalkTheLogInOrderAndBadFiltersAreRefused() throws Exception {
    gateway.createTenant("paged", "free");
    for (int i = 0; i < 4; i++) {
      gateway.createKey("paged");
    }
    List<Long> all = audit("tenant=paged").stream().map(row -> row.get("seq").asLong()).toList();
    assertThat(all).hasSize(5).isSorted();

    List<Long> walked = new ArrayList<>();
    String next = "after=0";
    while (next != null) {
      JsonNode page = gateway.admin("GET", "/admin/audit?tenant=paged&limit=2&" + next, null, 200);
      assertThat(page.get("data").size()).isLessThanOrEqualTo(2);
      page.get("data").forEach(row -> walked.add(row.get("seq").asLong()));
      next = page.has("next") ? page.get("next").asText() : null;
    }
    assertThat(walked).isEqualTo(all);
    JsonNode fromTheThird = gateway.admin("GET", "/admin/audit?tenant=paged&after=" + all.get(1), null, 200);
    assertThat(fromTheThird.get("data")).extracting(row -> row.get("seq").asLong()).isEqualTo(all.subList(2, 5));

    assertThat(gateway.admin("GET", "/admin/audit?from=yesterday", null, 400).get("error").get("message").asText())
        .contains("from");
    gateway.admin("GET", "/admin/audit?limit=0", null, 400);
    gateway.admin("GET", "/admin/audit?after=abc", null, 400);
    gateway.admin("GET", "/admin/audit?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", null, 400);
  }

  private static List<JsonNode> audit(String query) throws Exception {
    List<JsonNode> rows = new ArrayList<>();
    gateway.admin("GET", "/admin/audit?limit=1000&" + query, null, 200).get("data").forEach(rows::add);
    return rows;
  }

  /** Audit appends run after the response on the store thread: waits (at most 5 s) for {@code count} rows. */
  private static List<JsonNode> waitForAtLeast(String query, int count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    List<JsonNode> rows = audit(query);
    while (rows.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(20);
      rows = audit(query);
    }
    return rows;
  }

  private static String scalar(Connection c, String sql) throws Exception {
    try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }

  private static void update(Connection c, String sql) throws Exception {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.executeUpdate();
    }
  }
}
