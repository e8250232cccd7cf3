package dev.tollgate.server.cache;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.tollgate.server.testing.TestGateway;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The response cache through a real gateway: analysis routes of {@code config/plans/analysis-quota.yaml}
 * (cached 30 minutes) and a test catalogue whose entries live one second, against a WireMock provider.
 */
class ResponseCacheIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SUBJECT = "X-Tollgate-Subject";
  private static final String BODY = "{\"machine\":\"press-4\",\"window\":\"24h\",\"signals\":[\"rpm\",\"temp\"]}";
  private static final String BODY_REORDERED = "{ \"signals\": [\"rpm\", \"temp\"],\n  \"window\": \"24h\", \"machine\": \"press-4\" }";

  static WireMockServer upstream;
  static TestGateway analysis;
  static TestGateway shortLived;
  static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    upstream = new WireMockServer(options().dynamicPort());
    upstream.start();
    String providers = "providers:\n"
        + "  analysis:\n    baseUrl: " + upstream.baseUrl() + "\n    auth: bearer\n    apiKey: x\n"
        + "routes:\n  - {pathPrefix: /ai/, provider: analysis}\n";
    analysis = TestGateway.start(providers
        + "plans:\n  catalogueFile: " + TestGateway.projectFile("config/plans/analysis-quota.yaml") + "\n");
    shortLived = TestGateway.start(providers + "plans:\n  catalogueFile: " + testResource("plans/cache-ttl.yaml") + "\n");
  }

  @AfterAll
  static void stop() throws Exception {
    if (analysis != null) {
      analysis.close();
    }
    if (shortLived != null) {
      shortLived.close();
    }
    upstream.stop();
  }

  @Test
  void answersTheSameBodyWithKeysReorderedFromTheCacheWithIdenticalBytesAndNoSecondUpstreamCall() throws Exception {
    String path = "/ai/analyze/vibration";
    stubJson(path, "{\"analysis\":\"bearing wear\",\"score\":0.82}");
    String key = tenantWithKey(analysis, "hit", "starter");
    double hitsBefore = lookups("hit");
    double missesBefore = lookups("miss");

    HttpResponse<byte[]> first = send(analysis, path, key, BODY, "machine-1");
    // the provider would now answer differently: a hit must still return the first answer
    stubJson(path, "{\"analysis\":\"changed\"}");
    HttpResponse<byte[]> second = send(analysis, path, key, BODY_REORDERED, "machine-2");

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("x-tollgate-cache")).isEmpty();
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(second.body()).isEqualTo(first.body());
    assertThat(second.headers().firstValue("content-type")).isEqualTo(first.headers().firstValue("content-type"));
    assertThat(second.headers().firstValue("x-tollgate-cache")).contains("hit");
    upstream.verify(1, postRequestedFor(urlEqualTo(path)));
    assertThat(lookups("hit") - hitsBefore).isEqualTo(1.0);
    assertThat(lookups("miss") - missesBefore).isEqualTo(1.0);
  }

  @Test
  void aHitStillCountsAgainstTheMonthlyAnalysesBecauseQuotaIsTakenBeforeTheCache() throws Exception {
    String path = "/ai/analyze/pressure";
    stubJson(path, "{\"analysis\":\"ok\"}");
    String key = tenantWithKey(analysis, "counted", "starter");

    send(analysis, path, key, BODY, "machine-1");
    HttpResponse<byte[]> hit = send(analysis, path, key, BODY, "machine-2");

    assertThat(hit.headers().firstValue("x-tollgate-cache")).contains("hit");
    upstream.verify(1, postRequestedFor(urlEqualTo(path)));
    // current behaviour: both requests are charged, the one served from the cache included
    JsonNode standing = standingOnce(analysis, "counted", s -> s.get("used").asLong() >= 2);
    assertThat(standing.get("used").asLong()).isEqualTo(2);
    assertThat(standing.get("remaining").asLong()).isEqualTo(148);
  }

  @Test
  void theSameMachineWithinItsCooldownIsRefusedBeforeTheCacheIsAsked() throws Exception {
    String path = "/ai/analyze/cooldown";
    stubJson(path, "{\"analysis\":\"ok\"}");
    String key = tenantWithKey(analysis, "cooling", "starter");
    double hitsBefore = lookups("hit");

    HttpResponse<byte[]> first = send(analysis, path, key, BODY, "machine-1");
    HttpResponse<byte[]> again = send(analysis, path, key, BODY, "machine-1");

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(again.statusCode()).isEqualTo(429);
    assertThat(lookups("hit") - hitsBefore).isZero();
    upstream.verify(1, postRequestedFor(urlEqualTo(path)));
  }

  @Test
  void anotherTenantSendingTheSameBodyIsAMiss() throws Exception {
    String path = "/ai/analyze/tenants";
    stubJson(path, "{\"analysis\":\"for acme\"}");
    String acme = tenantWithKey(analysis, "acme", "starter");
    String globex = tenantWithKey(analysis, "globex", "starter");

    send(analysis, path, acme, BODY, "machine-1");
    HttpResponse<byte[]> other = send(analysis, path, globex, BODY, "machine-1");

    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(other.headers().firstValue("x-tollgate-cache")).isEmpty();
    upstream.verify(2, postRequestedFor(urlEqualTo(path)));
  }

  @Test
  void anotherProjectOfTheSameTenantIsAMiss() throws Exception {
    String path = "/ai/analyze/projects";
    stubJson(path, "{\"analysis\":\"ok\"}");
    String defaultKey = tenantWithKey(analysis, "twoprojects", "starter");
    analysis.admin("POST", "/admin/tenants/twoprojects/projects", "{\"id\":\"plant-b\",\"name\":\"Plant B\"}", 201);
    String plantBKey = analysis.admin("POST", "/admin/tenants/twoprojects/keys", "{\"project\":\"plant-b\"}", 201)
        .get("key").asText();

    send(analysis, path, defaultKey, BODY, "machine-1");
    HttpResponse<byte[]> other = send(analysis, path, plantBKey, BODY, "machine-2");
    HttpResponse<byte[]> sameProject = send(analysis, path, plantBKey, BODY, "machine-3");

    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(other.headers().firstValue("x-tollgate-cache")).isEmpty();
    assertThat(sameProject.headers().firstValue("x-tollgate-cache")).as("plant-b's own entry").contains("hit");
    upstream.verify(2, postRequestedFor(urlEqualTo(path)));
  }

  @Test
  void aDifferentBodyIsAMiss() throws Exception {
    String path = "/ai/analyze/bodies";
    stubJson(path, "{\"analysis\":\"ok\"}");
    String key = tenantWithKey(analysis, "bodies", "starter");

    send(analysis, path, key, BODY, "machine-1");
    HttpResponse<byte[]> other = send(analysis, path, key, BODY.replace("24h", "7d"), "machine-2");

    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(other.headers().firstValue("x-tollgate-cache")).isEmpty();
    upstream.verify(2, postRequestedFor(urlEqualTo(path)));
  }

  @Test
  void neverCachesAStreamingRequestNorAnEventStreamAnswer() throws Exception {
    String path = "/ai/analyze/streamed";
    upstream.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "text/event-stream").withBody("data: {\"analysis\":\"ok\"}\n\ndata: [DONE]\n\n")));
    String key = tenantWithKey(analysis, "streams", "starter");
    String streaming = "{\"machine\":\"press-4\",\"stream\":true}";
    double lookupsBefore = lookups("hit") + lookups("miss");

    for (int i = 1; i <= 2; i++) {
      HttpResponse<byte[]> response = send(analysis, path, key, streaming, "stream-" + i);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("x-tollgate-cache")).isEmpty();
    }
    assertThat(lookups("hit") + lookups("miss") - lookupsBefore).as("a streaming request is not looked up").isZero();
    // a plain request the provider answers with an event stream: looked up, but the answer is not kept
    for (int i = 1; i <= 2; i++) {
      HttpResponse<byte[]> response = send(analysis, path, key, BODY, "plain-" + i);
      assertThat(response.headers().firstValue("x-tollgate-cache")).isEmpty();
    }
    upstream.verify(4, postRequestedFor(urlEqualTo(path)));
  }

  @Test
  void neverCachesAnAnswerTheProviderCutWithAMalformedChunk() throws Exception {
    String path = "/ai/analyze/malformed";
    upstream.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK)));
    String key = tenantWithKey(analysis, "malformed", "starter");

    try {
      send(analysis, path, key, BODY, "machine-1");
    } catch (IOException expected) {
      // the client sees the cut; what matters here is what the cache kept
    }
    stubJson(path, "{\"analysis\":\"complete\"}");
    HttpResponse<byte[]> next = send(analysis, path, key, BODY, "machine-2");

    assertThat(next.headers().firstValue("x-tollgate-cache")).isEmpty();
    assertThat(new String(next.body())).isEqualTo("{\"analysis\":\"complete\"}");
    upstream.verify(2, postRequestedFor(urlEqualTo(path)));
  }

  @Test
  void callsTheProviderAgainOnceTheEntryHasExpired() throws Exception {
    String path = "/ai/analyze/expiring";
    stubJson(path, "{\"analysis\":\"fresh\"}");
    String key = tenantWithKey(shortLived, "expiry", "short");

    send(shortLived, path, key, BODY, null);
    HttpResponse<byte[]> hit = send(shortLived, path, key, BODY, null);
    upstream.verify(1, postRequestedFor(urlEqualTo(path)));
    Thread.sleep(1_100); // the catalogue's cacheTtlSeconds: 1
    HttpResponse<byte[]> afterTtl = send(shortLived, path, key, BODY, null);

    assertThat(hit.headers().firstValue("x-tollgate-cache")).contains("hit");
    assertThat(afterTtl.statusCode()).isEqualTo(200);
    assertThat(afterTtl.headers().firstValue("x-tollgate-cache")).isEmpty();
    upstream.verify(2, postRequestedFor(urlEqualTo(path)));
  }

  @Test
  void neverCachesARouteWhosePlanRuleHasNoTtl() throws Exception {
    String path = "/ai/uncached";
    stubJson(path, "{\"analysis\":\"ok\"}");
    String key = tenantWithKey(shortLived, "uncached", "short");

    for (int i = 0; i < 2; i++) {
      HttpResponse<byte[]> response = send(shortLived, path, key, BODY, null);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("x-tollgate-cache")).isEmpty();
    }
    upstream.verify(2, postRequestedFor(urlEqualTo(path)));
  }

  // --- helpers ---

  private static void stubJson(String path, String body) {
    upstream.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json").withBody(body)));
  }

  private static String tenantWithKey(TestGateway gateway, String id, String plan) throws Exception {
    gateway.createTenant(id, plan);
    return gateway.createKey(id).get("key").asText();
  }

  private static HttpResponse<byte[]> send(TestGateway gateway, String path, String key, String body, String subject)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path))
        .header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (subject != null) {
      request.header(SUBJECT, subject);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** {@code tollgate_cache_lookups_total{result=...}} on the analysis gateway's /metrics. */
  private static double lookups(String result) throws IOException, InterruptedException {
    HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(analysis.adminUrl() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    for (String line : metrics.body().split("\n")) {
      if (line.startsWith("tollgate_cache_lookups_total{") && line.contains("result=\"" + result + "\"")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no tollgate_cache_lookups_total{result=\"" + result + "\"} in /metrics");
  }

  /**
   * The standing once {@code settled} holds: quota settles when the last response byte is written,
   * which may be just after the client has read it. Gives up after 10 s and returns the last standing.
   */
  private static JsonNode standingOnce(TestGateway gateway, String tenantId, Predicate<JsonNode> settled)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    JsonNode standing = gateway.admin("GET", "/admin/tenants/" + tenantId + "/standing", null, 200);
    while (!settled.test(standing) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      standing = gateway.admin("GET", "/admin/tenants/" + tenantId + "/standing", null, 200);
    }
    return standing;
  }

  private static Path testResource(String name) {
    try {
      return Path.of(ResponseCacheIT.class.getResource("/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
