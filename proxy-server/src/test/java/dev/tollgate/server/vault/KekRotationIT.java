package dev.tollgate.server.vault;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tollgate.server.testing.TestGateway;
import dev.tollgate.server.vault.VaultFixture.TenantKeys;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * KEK rotation across gateway restarts on one data directory: DEKs made under k1; a start with only k2
 * cannot unwrap them and its rotation reports them failed (an interrupted rotation); a start with
 * {@code [k2, k1]} rotates under live traffic without one failed request; a start with k2 alone then
 * decrypts everything.
 */
class KekRotationIT {

  private static final String K1 = VaultFixture.newKek();
  private static final String K2 = VaultFixture.newKek();

  WireMockServer upstream;
  Path dataDir;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    upstream = VaultFixture.upstream();
    dataDir = Files.createTempDirectory("tollgate-kek-rotation");
  }

  @AfterEach
  void stop() throws Exception {
    upstream.stop();
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void rotationUnderLoadMovesEveryDekToTheNewKekAndResumesAfterAFailedRun() throws Exception {
    Map<String, String> secrets = new HashMap<>();
    Map<String, String> apiKeys = new HashMap<>();

    // 1. First life, KEK k1 alone: two tenants store their keys (DEKs wrapped under k1).
    try (TestGateway gateway = start("k1", K1)) {
      for (String tenant : List.of("t1", "t2")) {
        TenantKeys keys = VaultFixture.tenant(gateway, tenant);
        apiKeys.put(tenant, keys.defaultKey());
        secrets.put(tenant, VaultFixture.secret("sk-" + tenant + "-"));
        VaultFixture.putSecret(gateway, tenant, "openai", secrets.get(tenant));
      }
      assertThat(kekIdsOfDeks()).containsOnlyKeys("t1", "t2")
          .allSatisfy((tenant, kek) -> assertThat(kek).isEqualTo("k1"));
    }

    // 2. Second life with k2 alone: a third tenant lands on k2; the k1 DEKs cannot be unwrapped, so a
    //    rotation reports them failed and changes nothing, and their tenants' calls fail (never leak).
    try (TestGateway gateway = start("k2", K2)) {
      TenantKeys t3 = VaultFixture.tenant(gateway, "t3");
      apiKeys.put("t3", t3.defaultKey());
      secrets.put("t3", VaultFixture.secret("sk-t3-"));
      VaultFixture.putSecret(gateway, "t3", "openai", secrets.get("t3"));

      HttpResponse<String> interrupted = gateway.adminRaw("POST", "/admin/vault/rotate", null);

      assertThat(interrupted.statusCode()).isEqualTo(500);
      JsonNode result = VaultFixture.JSON.readTree(interrupted.body());
      assertThat(result.get("rewrapped").asInt()).isZero();
      assertThat(result.get("failed").asInt()).isEqualTo(2);
      assertThat(result.get("alreadyCurrent").asInt()).isEqualTo(1);
      assertThat(result.get("failedTenants")).extracting(JsonNode::asText).containsExactly("t1", "t2");
      assertThat(kekIdsOfDeks()).containsEntry("t1", "k1").containsEntry("t2", "k1").containsEntry("t3", "k2");
      assertThat(VaultFixture.chat(http, gateway, apiKeys.get("t1")).statusCode()).isEqualTo(500);
    }

    // 3. Third life with [k2, k1]: rotate while three clients keep calling; not one call fails.
    try (TestGateway gateway = start("k2", K2, "k1", K1)) {
      upstream.resetRequests();
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger ok = new AtomicInteger();
      Map<Integer, AtomicInteger> failures = new ConcurrentHashMap<>();
      List<Thread> clients = new ArrayList<>();
      for (String tenant : List.of("t1", "t2", "t3")) {
        Thread client = new Thread(() -> {
          while (running.get()) {
            try {
              int status = VaultFixture.chat(http, gateway, apiKeys.get(tenant)).statusCode();
              if (status == 200) {
                ok.incrementAndGet();
              } else {
                failures.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
              }
            } catch (Exception e) {
              failures.computeIfAbsent(-1, s -> new AtomicInteger()).incrementAndGet();
            }
          }
        }, "rotation-load-" + tenant);
        client.start();
        clients.add(client);
      }
      long started = System.nanoTime();
      Thread.sleep(700);
      int okBeforeRotation = ok.get();

      HttpResponse<String> rotation = gateway.adminRaw("POST", "/admin/vault/rotate", null);

      int okAtRotation = ok.get();
      Thread.sleep(Math.max(0, 2000 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
      running.set(false);
      for (Thread client : clients) {
        client.join(10_000);
      }
      assertThat(rotation.statusCode()).as(rotation.body()).isEqualTo(200);
      JsonNode result = VaultFixture.JSON.readTree(rotation.body());
      assertThat(result.get("rewrapped").asInt()).isEqualTo(2);
      assertThat(result.get("alreadyCurrent").asInt()).isEqualTo(1);
      assertThat(result.get("failed").asInt()).isZero();
      assertThat(failures).as("non-200 answers by status during the rotation").isEmpty();
      assertThat(okBeforeRotation).as("calls before the rotation").isPositive();
      assertThat(ok.get()).as("calls after the rotation").isGreaterThan(okAtRotation);
      assertThat(kekIdsOfDeks()).containsOnlyKeys("t1", "t2", "t3")
          .allSatisfy((tenant, kek) -> assertThat(kek).isEqualTo("k2"));
      for (LoggedRequest seen : upstream.findAll(postRequestedFor(urlEqualTo(VaultFixture.CHAT)))) {
        assertThat(seen.getHeader("Authorization")).isIn(
            secrets.values().stream().map(s -> "Bearer " + s).toList());
      }
      JsonNode again = gateway.admin("POST", "/admin/vault/rotate", null, 200);
      assertThat(again.get("rewrapped").asInt()).isZero();
      assertThat(again.get("alreadyCurrent").asInt()).isEqualTo(3);
    }

    // 4. Fourth life with k2 alone: k1 is gone and every tenant's key still decrypts.
    try (TestGateway gateway = start("k2", K2)) {
      for (String tenant : List.of("t1", "t2", "t3")) {
        VaultFixture.Upstreamed call = VaultFixture.chatAndCapture(http, gateway, upstream, apiKeys.get(tenant));
        assertThat(call.status()).as(tenant).isEqualTo(200);
        assertThat(call.upstreamAuthorization()).as(tenant).isEqualTo("Bearer " + secrets.get(tenant));
      }
      assertThat(gateway.admin("GET", "/admin/tenants/t1/secrets", null, 200).get("data").get(0).get("kekId").asText())
          .isEqualTo("k2");
    }
  }

  private TestGateway start(String... idKeyPairs) throws Exception {
    return TestGateway.start(
        VaultFixture.yaml(upstream.baseUrl(), idKeyPairs) + "store:\n  dataDir: " + dataDir + "\n");
  }

  /** Tenant id to the KEK id of its DEK (every tenant here has exactly one DEK). */
  private Map<String, String> kekIdsOfDeks() throws Exception {
    Map<String, String> out = new HashMap<>();
    try (Connection c = VaultFixture.sql(dataDir.resolve("tollgate.db"));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT tenant_id, kek_id FROM vault_deks")) {
      while (rs.next()) {
        assertThat(out.put(rs.getString(1), rs.getString(2))).as("one DEK per tenant").isNull();
      }
    }
    return out;
  }
}
