package dev.tollgate.server.metering;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tollgate.core.alert.WebhookSender;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plan threshold alerts end to end: a tenant on a 10-request plan crossing 50, 80 and 100 % gets one
 * signed webhook POST per threshold, a failing receiver is retried, a Slack target gets {@code {"text"}},
 * and a restart on the same data directory does not send an alert again. The periodic check is pushed
 * out of the way; the test runs {@code AlertMonitor.checkAll} itself on the store's executor.
 */
class AlertsIT {

  private static final String SECRET = "whsec-0123456789abcdef";
  private static final String NO_PERIODIC_CHECK = "metering:\n  alertCheckIntervalMillis: 3600000\n";
  /** After the last delivery a test waits for, how long a duplicate would have to show up. */
  private static final long SETTLE_MILLIS = 300;

  @TempDir
  Path dir;
  WireMockServer wiremock;
  LedgerGateway gateway;
  String key;

  @BeforeEach
  void start() throws Exception {
    wiremock = new WireMockServer(options().dynamicPort());
    wiremock.start();
    ProviderStubs.install(wiremock);
    wiremock.stubFor(post(urlEqualTo("/hooks/acme")).willReturn(aResponse().withStatus(204)));
    gateway = startGateway();
    gateway.createTenant("acme", "small");
    key = gateway.createKey("acme")[1];
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    wiremock.stop();
  }

  @Test
  void eachThresholdFiresExactlyOnceSignedSoTheReceiverCanVerifyIt() throws Exception {
    putTarget("/hooks/acme", false);

    sendCalls(4); // 40 %
    checkAll();
    checkAll();
    settle();
    assertThat(deliveries("/hooks/acme")).isEmpty();

    sendCalls(1); // 50 %
    checkAll();
    awaitDeliveries("/hooks/acme", 1);
    sendCalls(3); // 80 %
    checkAll();
    checkAll();
    awaitDeliveries("/hooks/acme", 2);
    sendCalls(2); // 100 %
    checkAll();
    awaitDeliveries("/hooks/acme", 3);
    checkAll();
    settle();

    List<LoggedRequest> posts = deliveries("/hooks/acme");
    assertThat(posts).hasSize(3);
    assertThat(posts).extracting(r -> json(r).get("threshold").asInt()).containsExactly(50, 80, 100);
    assertThat(posts).extracting(r -> json(r).get("used").asLong()).containsExactly(5L, 8L, 10L);
    assertThat(posts).extracting(r -> r.getHeader(WebhookSender.EVENT_ID_HEADER)).doesNotHaveDuplicates();
    for (LoggedRequest post : posts) {
      JsonNode body = json(post);
      assertThat(body.get("type").asText()).isEqualTo("usage.threshold");
      assertThat(body.get("tenant").asText()).isEqualTo("acme");
      assertThat(body.get("included").asLong()).isEqualTo(10);
      assertThat(body.get("id").asText()).isEqualTo(post.getHeader(WebhookSender.EVENT_ID_HEADER));
      assertThat(verifies(post, SECRET)).as(post.getBodyAsString()).isTrue();
      assertThat(verifies(post, SECRET + "x")).isFalse();
    }
  }

  @Test
  void aReceiverThatFailsOnceGetsTheSameAlertAgain() throws Exception {
    wiremock.stubFor(post(urlEqualTo("/hooks/flaky")).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(500)).willSetStateTo("recovered"));
    wiremock.stubFor(post(urlEqualTo("/hooks/flaky")).inScenario("flaky").whenScenarioStateIs("recovered")
        .willReturn(aResponse().withStatus(200)));
    putTarget("/hooks/flaky", false);

    sendCalls(5); // 50 %
    checkAll();
    // RetryPolicy.DEFAULT: the second attempt follows after 1..2 s.
    awaitDeliveries("/hooks/flaky", 2);
    settle();

    List<LoggedRequest> attempts = deliveries("/hooks/flaky");
    assertThat(attempts).hasSize(2);
    assertThat(attempts).extracting(r -> r.getHeader(WebhookSender.EVENT_ID_HEADER)).containsOnly(
        attempts.get(0).getHeader(WebhookSender.EVENT_ID_HEADER));
    assertThat(attempts).allSatisfy(r -> assertThat(verifies(r, SECRET)).isTrue());
    assertThat(attempts).extracting(r -> json(r).get("threshold").asInt()).containsOnly(50);
  }

  @Test
  void aSlackTargetGetsATextBodySignedTheSameWay() throws Exception {
    wiremock.stubFor(post(urlEqualTo("/hooks/slack")).willReturn(aResponse().withStatus(200).withBody("ok")));
    putTarget("/hooks/slack", true);

    sendCalls(5);
    checkAll();
    awaitDeliveries("/hooks/slack", 1);

    LoggedRequest post = deliveries("/hooks/slack").get(0);
    JsonNode body = json(post);
    assertThat(body.size()).isEqualTo(1);
    assertThat(body.get("text").asText()).contains("acme").contains("50 %");
    assertThat(verifies(post, SECRET)).isTrue();
  }

  @Test
  void aRestartOnTheSameDataDirectoryDoesNotSendAnAlertAgain() throws Exception {
    putTarget("/hooks/acme", false);
    sendCalls(5); // 50 %
    checkAll();
    awaitDeliveries("/hooks/acme", 1);

    gateway.close();
    gateway = null;
    gateway = startGateway();
    checkAll();
    checkAll();
    settle();
    assertThat(deliveries("/hooks/acme")).hasSize(1);

    sendCalls(3); // 80 %: the restarted monitor is alive and still counts the month
    checkAll();
    awaitDeliveries("/hooks/acme", 2);
    checkAll();
    settle();
    assertThat(deliveries("/hooks/acme")).extracting(r -> json(r).get("threshold").asInt()).containsExactly(50, 80);
  }

  private LedgerGateway startGateway() throws Exception {
    return LedgerGateway.start(dir, wiremock.baseUrl(),
        Path.of(AlertsIT.class.getResource("/metering/alerts-catalogue.yaml").toURI()), NO_PERIODIC_CHECK);
  }

  private void putTarget(String path, boolean slack) throws Exception {
    JsonNode shown = gateway.admin("PUT", "/admin/tenants/acme/alerts",
        "{\"url\":\"" + wiremock.baseUrl() + path + "\",\"secret\":\"" + SECRET + "\",\"slack\":" + slack + "}", 200);
    assertThat(shown.toString()).doesNotContain(SECRET);
  }

  private void sendCalls(int count) throws Exception {
    for (int i = 0; i < count; i++) {
      HttpResponse<String> response = gateway.http().send(ProviderStubs.CHAT_JSON.request(gateway.baseUrl(), key),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
  }

  /** One monitor pass on the store's executor, then a no-op behind it: every send it began has been handed over. */
  private void checkAll() throws Exception {
    var executor = gateway.server().store().executor();
    CompletableFuture.runAsync(gateway.server().alertMonitor()::checkAll, executor).get(10, TimeUnit.SECONDS);
    CompletableFuture.runAsync(() -> { }, executor).get(10, TimeUnit.SECONDS);
  }

  private static void settle() throws InterruptedException {
    Thread.sleep(SETTLE_MILLIS);
  }

  private List<LoggedRequest> deliveries(String path) {
    return wiremock.findAll(postRequestedFor(urlEqualTo(path))).stream()
        .sorted(Comparator.comparing(LoggedRequest::getLoggedDate)).toList();
  }

  private void awaitDeliveries(String path, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (deliveries(path).size() < count && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(deliveries(path)).hasSizeGreaterThanOrEqualTo(count);
  }

  private static boolean verifies(LoggedRequest post, String secret) {
    return WebhookSender.verify(secret, post.getHeader(WebhookSender.TIMESTAMP_HEADER), post.getBodyAsString(),
        post.getHeader(WebhookSender.SIGNATURE_HEADER), 300, Instant.now());
  }

  private static JsonNode json(LoggedRequest post) {
    try {
      return LedgerGateway.JSON.readTree(post.getBodyAsString());
    } catch (java.io.IOException e) {
      throw new AssertionError(post.getBodyAsString(), e);
    }
  }
}
