package dev.tollgate.server.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tollgate.server.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The playground page in Debian's headless Chromium (installed by .ci/run), against a local gateway whose
 * provider is the scripted upstream: it loads without console errors, creates a session, opens the
 * realtime WebSocket with the session token, fetches TURN credentials when ICE is declared failed, and
 * reports ICE telemetry.
 */
class PlaygroundIT {

  private static ScriptedRealtimeUpstream upstream;
  private static TestGateway gateway;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    upstream = new ScriptedRealtimeUpstream();
    gateway = TestGateway.start(RealtimeFixtures.overlay(upstream.baseUrl(), RealtimeFixtures.catalogue(), ""));
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    upstream.close();
  }

  @Test
  void servesThePageWithoutCredentials() throws Exception {
    HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/playground")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
    assertThat(page.body()).contains("restartIce()");
  }

  @Test
  void runsTheSessionRelayAndTurnFlowInHeadlessChromiumWithoutConsoleErrors() throws Exception {
    assumeTrue(HeadlessChromium.installed(), "chromium is installed by .ci/run");
    gateway.createTenant("playground", "rt");
    String key = gateway.createKey("playground").get("key").asText();
    try (HeadlessChromium chromium = HeadlessChromium.start()) {
      chromium.navigate(gateway.baseUrl() + "/playground");
      assertThat(chromium.evaluate("document.getElementById('log').textContent").asText()).contains("ready");

      // 1. session and realtime WebSocket through the gateway
      chromium.evaluate("document.getElementById('key').value = '" + key + "';"
          + "document.getElementById('stun').value = 'stun:127.0.0.1:9';"
          + "document.getElementById('iceTimeout').value = '60';"
          + "document.getElementById('start').click(); true");
      String log = awaitLog(chromium, "realtime WebSocket open");
      assertThat(log).contains("session rs_").contains("TURN included: false");

      // 2. ICE auto policy: on failure, TURN credentials, setConfiguration, restartIce()
      chromium.evaluate("window.tollgatePlayground.useTurn(window.tollgatePlayground.state.session,"
          + " {urls: 'stun:127.0.0.1:9'}, 'failed (test)')");
      log = awaitLog(chromium, "TURN configured; ICE restarted");
      assertThat(chromium.evaluate("document.getElementById('turn').textContent").asText()).startsWith("yes (rest-secret");

      // 3. stop: telemetry reported, WebSocket closed
      chromium.evaluate("document.getElementById('stop').click(); true");
      log = awaitLog(chromium, "realtime WebSocket closed");
      assertThat(log).contains("ICE telemetry reported");
      assertThat(chromium.errors).isEmpty();
    }
    assertThat(metrics()).contains("tollgate_ice_reports_total{needed_turn=\"true\"} 1.0");
  }

  private static String awaitLog(HeadlessChromium chromium, String text) throws Exception {
    String log = "";
    for (int i = 0; i < 400 && !log.contains(text); i++) {
      log = chromium.evaluate("document.getElementById('log').textContent").asText();
      if (!log.contains(text)) {
        Thread.sleep(25);
      }
    }
    assertThat(log).contains(text);
    return log;
  }

  private String metrics() throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.adminUrl() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }
}
