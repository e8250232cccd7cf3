package dev.tollgate.server.metering;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.server.testing.TestGateway;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A load of mixed JSON and SSE calls (OpenAI chat and embeddings, Anthropic messages) from three tenants
 * with several keys each: the usage API's totals equal what was sent, by tenant, key, route and model,
 * with the fixture's tokens; CSV of the same query is RFC 4180; bad queries get 400 and 404.
 */
class LedgerTotalsIT {

  /** Calls of each kind per tenant; keys take turns. */
  private static final Map<String, int[]> PLAN = Map.of(
      "alpha", new int[] {40, 20, 5, 15, 10, 10},
      "beta", new int[] {10, 30, 3, 0, 25, 20},
      "gamma", new int[] {7, 0, 1, 30, 0, 12});
  private static final Map<String, Integer> KEYS = Map.of("alpha", 2, "beta", 3, "gamma", 1);

  @TempDir
  static Path dir;
  static WireMockServer upstream;
  static LedgerGateway gateway;
  /** tenant -> "route|model" -> {requests, input tokens, output tokens}. */
  static final Map<String, Map<String, long[]>> expectedByRouteModel = new TreeMap<>();
  /** tenant -> key id -> requests. */
  static final Map<String, Map<String, Long>> expectedByKey = new TreeMap<>();

  @BeforeAll
  static void sendTheLoad() throws Exception {
    upstream = new WireMockServer(options().dynamicPort().containerThreads(40));
    upstream.start();
    ProviderStubs.install(upstream);
    gateway = LedgerGateway.start(dir, upstream.baseUrl(), TestGateway.testCatalogue(), null);
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    Semaphore inFlight = new Semaphore(16);
    for (Map.Entry<String, int[]> tenant : new TreeMap<>(PLAN).entrySet()) {
      String tenantId = tenant.getKey();
      gateway.createTenant(tenantId, "free");
      List<String[]> keys = new ArrayList<>();
      for (int k = 0; k < KEYS.get(tenantId); k++) {
        keys.add(gateway.createKey(tenantId));
      }
      int call = 0;
      for (ProviderStubs kind : ProviderStubs.values()) {
        for (int i = 0; i < tenant.getValue()[kind.ordinal()]; i++, call++) {
          String[] key = keys.get(call % keys.size());
          long[] row = expectedByRouteModel.computeIfAbsent(tenantId, t -> new TreeMap<>())
              .computeIfAbsent(kind.route + "|" + kind.model, k -> new long[3]);
          row[0]++;
          row[1] += kind.inputTokens;
          row[2] += kind.outputTokens;
          expectedByKey.computeIfAbsent(tenantId, t -> new TreeMap<>()).merge(key[0], 1L, Long::sum);
          inFlight.acquire();
          answers.add(gateway.http().sendAsync(kind.request(gateway.baseUrl(), key[1]),
              HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> inFlight.release()));
        }
      }
    }
    for (CompletableFuture<HttpResponse<String>> answer : answers) {
      HttpResponse<String> response = answer.get(30, TimeUnit.SECONDS);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
    gateway.server().aggregator().flush().join();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.stop();
  }

  @Test
  void ledgerCountsEveryRequestAndItsTokensByTenantRouteAndModel() throws Exception {
    for (String tenantId : PLAN.keySet()) {
      Map<String, long[]> actual = new TreeMap<>();
      for (JsonNode row : gateway.usageToday(tenantId, "route,model")) {
        actual.put(row.get("route").asText() + "|" + row.get("model").asText(), new long[] {
            row.get("requests").asLong(), row.get("inputTokens").asLong(), row.get("outputTokens").asLong()});
      }
      assertThat(actual).as(tenantId).containsOnlyKeys(expectedByRouteModel.get(tenantId).keySet());
      expectedByRouteModel.get(tenantId).forEach((routeModel, expected) ->
          assertThat(actual.get(routeModel)).as(tenantId + " " + routeModel).containsExactly(expected));
    }
  }

  @Test
  void ledgerCountsEveryRequestByKeyAndInTotal() throws Exception {
    long sent = 0;
    for (String tenantId : PLAN.keySet()) {
      Map<String, Long> actual = new TreeMap<>();
      for (JsonNode row : gateway.usageToday(tenantId, "key")) {
        actual.put(row.get("key").asText(), row.get("requests").asLong());
      }
      assertThat(actual).as(tenantId).isEqualTo(expectedByKey.get(tenantId));
      long tenantSent = expectedByKey.get(tenantId).values().stream().mapToLong(Long::longValue).sum();
      JsonNode total = gateway.usageToday(tenantId, "");
      assertThat(total).hasSize(1);
      assertThat(total.get(0).get("requests").asLong()).isEqualTo(tenantSent);
      assertThat(total.get(0).get("errors").asLong()).isZero();
      sent += tenantSent;
    }
    assertThat(sent).isEqualTo(PLAN.values().stream().flatMapToInt(java.util.Arrays::stream).sum());
  }

  @Test
  void csvHasAHeaderCrlfLineEndsAndQuotesAModelWithACommaAndAQuote() throws Exception {
    String today = LocalDate.now(ZoneOffset.UTC).toString();
    String query = "?from=" + today + "&to=" + today + "&groupBy=route,model";
    HttpResponse<String> byPath = gateway.adminRaw("GET", "/admin/tenants/alpha/usage.csv" + query, null, null);
    HttpResponse<String> byAccept = gateway.adminRaw("GET", "/admin/tenants/alpha/usage" + query, null, "text/csv");

    assertThat(byPath.statusCode()).isEqualTo(200);
    assertThat(byPath.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/csv"));
    assertThat(byAccept.statusCode()).isEqualTo(200);
    assertThat(byAccept.body()).isEqualTo(byPath.body());
    String csv = byPath.body();
    assertThat(csv).endsWith("\r\n");
    assertThat(csv.replace("\r\n", "")).doesNotContain("\n").doesNotContain("\r");
    List<List<String>> records = parseRfc4180(csv);
    assertThat(records.get(0)).startsWith("tenant_id", "route", "model", "requests");
    assertThat(records).allSatisfy(r -> assertThat(r).hasSameSizeAs(records.get(0)));
    assertThat(records).hasSize(1 + expectedByRouteModel.get("alpha").size());
    ProviderStubs odd = ProviderStubs.CHAT_ODD_MODEL;
    assertThat(csv).contains("\r\nalpha,chat.completions,\"weird,\"\"model\"\"\",5,");
    assertThat(records).anySatisfy(r -> assertThat(r.subList(0, 6))
        .containsExactly("alpha", odd.route, odd.model, "5", "0", "5")); // requests, errors, billable units
    for (List<String> record : records.subList(1, records.size())) {
      long[] expected = expectedByRouteModel.get("alpha").get(record.get(1) + "|" + record.get(2));
      assertThat(Long.parseLong(record.get(3))).as(record.toString()).isEqualTo(expected[0]);
    }
  }

  @Test
  void rejectsAFromAfterTo() throws Exception {
    assertThat(status("/admin/tenants/alpha/usage?from=2026-03-10&to=2026-03-01")).isEqualTo(400);
  }

  @Test
  void rejectsAnUnparseableDate() throws Exception {
    assertThat(status("/admin/tenants/alpha/usage?from=yesterday")).isEqualTo(400);
    assertThat(status("/admin/tenants/alpha/usage.csv?to=2026-13-01")).isEqualTo(400);
  }

  @Test
  void rejectsARangeOfMoreThan366Days() throws Exception {
    assertThat(status("/admin/tenants/alpha/usage?from=2024-01-01&to=2025-01-01")).isEqualTo(400);
    assertThat(status("/admin/tenants/alpha/usage?from=2024-01-01&to=2024-12-31")).isEqualTo(200);
  }

  @Test
  void rejectsAnUnknownGroupBy() throws Exception {
    assertThat(status("/admin/tenants/alpha/usage?groupBy=model,colour")).isEqualTo(400);
  }

  @Test
  void answersNotFoundForAnUnknownTenant() throws Exception {
    assertThat(status("/admin/tenants/nobody/usage")).isEqualTo(404);
    assertThat(status("/admin/tenants/nobody/usage.csv")).isEqualTo(404);
  }

  private static int status(String path) throws Exception {
    return gateway.adminRaw("GET", path, null, null).statusCode();
  }

  /** Parses RFC 4180 text strictly: CRLF record ends, quoted fields with doubled quotes. */
  private static List<List<String>> parseRfc4180(String csv) {
    List<List<String>> records = new ArrayList<>();
    List<String> record = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    int i = 0;
    while (i < csv.length()) {
      if (csv.charAt(i) == '"') {
        i++;
        while (true) {
          char ch = csv.charAt(i++);
          if (ch == '"' && i < csv.length() && csv.charAt(i) == '"') {
            field.append('"');
            i++;
          } else if (ch == '"') {
            break;
          } else {
            field.append(ch);
          }
        }
      }
      char ch = csv.charAt(i);
      if (ch == ',') {
        record.add(field.toString());
        field.setLength(0);
        i++;
      } else if (csv.startsWith("\r\n", i)) {
        record.add(field.toString());
        field.setLength(0);
        records.add(record);
        record = new ArrayList<>();
        i += 2;
      } else if (ch == '"' || ch == '\r' || ch == '\n') {
        throw new AssertionError("not RFC 4180 at offset " + i + ": " + csv);
      } else {
        field.append(ch);
        i++;
      }
    }
    assertThat(record).as("trailing data without CRLF").isEmpty();
    return records;
  }
}
