package dev.tollgate.core.alert;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookSenderTest {

  private static final String SECRET = "whsec_test_only";
  private static final RetryPolicy FAST = new RetryPolicy(3, 5, 20, 2_000);
  private static final ObjectMapper JSON = new ObjectMapper();

  static WireMockServer receiver;
  static HttpClient client;

  private final AlertStore store = new InMemoryAlertStore();
  private final WebhookSender sender = new WebhookSender(client, store, Runnable::run, FAST, Clock.systemUTC());
  private final AlertEvent event = AlertEvent.usageThreshold("acme", "2026-11", 80, 8_000, 10_000, "requests");

  @BeforeAll
  static void startReceiver() {
    receiver = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    receiver.start();
    client = HttpClient.newHttpClient();
  }

  @AfterAll
  static void stopReceiver() {
    receiver.stop();
  }

  @BeforeEach
  void resetReceiver() {
    receiver.resetAll();
  }

  @Test
  void sendsASignatureTheReceiverHelperVerifies() throws Exception {
    receiver.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(200)));

    DeliveryResult result = send(target(false));

    assertThat(result.status()).isEqualTo(DeliveryResult.Status.DELIVERED);
    LoggedRequest request = onlyRequest();
    String body = request.getBodyAsString();
    String timestamp = request.getHeader(WebhookSender.TIMESTAMP_HEADER);
    String signature = request.getHeader(WebhookSender.SIGNATURE_HEADER);
    assertThat(signature).startsWith("v1=");
    assertThat(WebhookSender.verify(SECRET, timestamp, body, signature, 300, Instant.now())).isTrue();
    assertThat(WebhookSender.verify("other-secret", timestamp, body, signature, 300, Instant.now())).isFalse();
    assertThat(WebhookSender.verify(SECRET, timestamp, body.replace("8000", "9000"), signature, 300, Instant.now()))
        .isFalse();
    assertThat(WebhookSender.verify(SECRET, timestamp, body, signature, 300, Instant.now().plusSeconds(301)))
        .isFalse();
  }

  @Test
  void sendsTheUsageEventAsJson() throws Exception {
    receiver.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(204)));

    send(target(false));

    LoggedRequest request = onlyRequest();
    JsonNode body = JSON.readTree(request.getBodyAsString());
    assertThat(body.get("type").asText()).isEqualTo("usage.threshold");
    assertThat(body.get("tenant").asText()).isEqualTo("acme");
    assertThat(body.get("period").asText()).isEqualTo("2026-11");
    assertThat(body.get("threshold").asInt()).isEqualTo(80);
    assertThat(body.get("used").asLong()).isEqualTo(8_000);
    assertThat(body.get("included").asLong()).isEqualTo(10_000);
    assertThat(body.get("unit").asText()).isEqualTo("requests");
    assertThat(body.get("id").asText()).isEqualTo(event.eventId());
    assertThat(request.getHeader("Content-Type")).startsWith("application/json");
    assertThat(request.getHeader(WebhookSender.EVENT_ID_HEADER)).isEqualTo(event.eventId());
  }

  @Test
  void sendsASlackCompatibleTextBodyWhenThePlanSaysSo() throws Exception {
    receiver.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(200)));

    send(target(true));

    JsonNode body = JSON.readTree(onlyRequest().getBodyAsString());
    assertThat(body.size()).isEqualTo(1);
    assertThat(body.get("text").asText()).contains("acme", "80 %", "2026-11");
  }

  @Test
  void retriesAFailingReceiverAndDeliversOnceWithTheSameEventId() throws Exception {
    receiver.stubFor(post(urlEqualTo("/hook")).inScenario("flaky").whenScenarioStateIs(STARTED)
        .willReturn(aResponse().withStatus(500)).willSetStateTo("recovered"));
    receiver.stubFor(post(urlEqualTo("/hook")).inScenario("flaky").whenScenarioStateIs("recovered")
        .willReturn(aResponse().withStatus(200)));

    DeliveryResult result = send(target(false));

    assertThat(result).isEqualTo(new DeliveryResult(event.eventId(), DeliveryResult.Status.DELIVERED, 2, 200));
    List<LoggedRequest> requests = receiver.findAll(postRequestedFor(urlEqualTo("/hook")));
    assertThat(requests).extracting(r -> r.getHeader(WebhookSender.EVENT_ID_HEADER))
        .containsExactly(event.eventId(), event.eventId());
    assertThat(store.attempts(event.eventId()))
        .extracting(DeliveryAttempt::statusCode, DeliveryAttempt::outcome)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(500, DeliveryAttempt.Outcome.RETRYING),
            org.assertj.core.groups.Tuple.tuple(200, DeliveryAttempt.Outcome.DELIVERED));
  }

  @Test
  void retriesTooManyRequests() throws Exception {
    receiver.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(429)));

    DeliveryResult result = send(target(false));

    assertThat(result.status()).isEqualTo(DeliveryResult.Status.GAVE_UP);
    assertThat(result.attempts()).isEqualTo(FAST.maxAttempts());
    receiver.verify(FAST.maxAttempts(), postRequestedFor(urlEqualTo("/hook")));
  }

  @Test
  void doesNotRetryAClientError() throws Exception {
    receiver.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(400)));

    DeliveryResult result = send(target(false));

    assertThat(result).isEqualTo(new DeliveryResult(event.eventId(), DeliveryResult.Status.REJECTED, 1, 400));
    receiver.verify(1, postRequestedFor(urlEqualTo("/hook")));
    assertThat(store.attempts(event.eventId())).extracting(DeliveryAttempt::outcome)
        .containsExactly(DeliveryAttempt.Outcome.REJECTED);
  }

  @Test
  void givesUpOnAnUnreachableReceiverAfterTheLastAttempt() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    WebhookTarget unreachable = new WebhookTarget(URI.create("http://127.0.0.1:" + closedPort + "/hook"), SECRET, false);

    DeliveryResult result = sender.send(unreachable, event).get(10, TimeUnit.SECONDS);

    assertThat(result.status()).isEqualTo(DeliveryResult.Status.GAVE_UP);
    assertThat(store.attempts(event.eventId()))
        .extracting(DeliveryAttempt::statusCode, DeliveryAttempt::outcome, DeliveryAttempt::detail)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(0, DeliveryAttempt.Outcome.RETRYING, "connect"),
            org.assertj.core.groups.Tuple.tuple(0, DeliveryAttempt.Outcome.RETRYING, "connect"),
            org.assertj.core.groups.Tuple.tuple(0, DeliveryAttempt.Outcome.GAVE_UP, "connect"));
  }

  @Test
  void doesNotSendAnEventThatWasAlreadyDelivered() throws Exception {
    receiver.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(200)));

    send(target(false));
    DeliveryResult again = send(target(false));

    assertThat(again.status()).isEqualTo(DeliveryResult.Status.ALREADY_DELIVERED);
    receiver.verify(1, postRequestedFor(urlEqualTo("/hook")));
  }

  @Test
  void keepsTheUrlAndSecretOutOfToString() {
    WebhookTarget target = new WebhookTarget(URI.create("https://hooks.slack.com/services/T0/B0/token"), SECRET, true);

    assertThat(target.toString()).doesNotContain("token", SECRET).contains("hooks.slack.com");
  }

  @Test
  void backsOffExponentiallyWithJitterUpToTheCap() {
    RetryPolicy policy = new RetryPolicy(10, 100, 1_000, 1_000);

    assertThat(policy.delayMillisAfter(1, 0.0)).isEqualTo(50);
    assertThat(policy.delayMillisAfter(1, 0.999)).isBetween(50L, 100L);
    assertThat(policy.delayMillisAfter(3, 0.0)).isEqualTo(200);
    assertThat(policy.delayMillisAfter(9, 0.999)).isBetween(500L, 1_000L);
    assertThat(policy.delayMillisAfter(60, 0.5)).isBetween(500L, 1_000L);
  }

  private DeliveryResult send(WebhookTarget target) throws Exception {
    return sender.send(target, event).get(10, TimeUnit.SECONDS);
  }

  private static WebhookTarget target(boolean slack) {
    return new WebhookTarget(URI.create(receiver.baseUrl() + "/hook"), SECRET, slack);
  }

  private static LoggedRequest onlyRequest() {
    List<LoggedRequest> requests = receiver.findAll(postRequestedFor(urlEqualTo("/hook")));
    assertThat(requests).hasSize(1);
    return requests.get(0);
  }
}
