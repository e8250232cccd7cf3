package dev.tollgate.server.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.server.testing.TestGateway;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The realtime WebSocket relay on a real gateway, against a scripted upstream WebSocket server (Netty). */
class RealtimeRelayIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long WAIT_SECONDS = 10;
  private static ScriptedRealtimeUpstream upstream;
  private static TestGateway gateway;
  private static int tenants;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    upstream = new ScriptedRealtimeUpstream();
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String down = "  down:\n    baseUrl: http://127.0.0.1:" + closedPort + "\n    auth: bearer\n"
        + "    apiKey: sk-down\n    dialect: openai\n";
    gateway = TestGateway.start(RealtimeFixtures.overlay(upstream.baseUrl(), RealtimeFixtures.catalogue(), "")
        .replace("plans:\n", down + "plans:\n"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    upstream.close();
  }

  @BeforeEach
  void clear() throws InterruptedException {
    // the previous test's last close frame may still be on its way to the upstream: let it land first
    while (upstream.received.poll(200, TimeUnit.MILLISECONDS) != null) {
      // drained
    }
    upstream.received.clear();
    upstream.handshakes.clear();
  }

  @Test
  void relaysTextFramesBothWaysInOrderWithTheProviderKey() throws Exception {
    Client client = connect(tenantKey("rt"), "/v1/realtime?model=gpt-realtime");

    for (int i = 0; i < 50; i++) {
      client.ws.sendText("echo:" + i, true).join();
    }

    for (int i = 0; i < 50; i++) {
      assertThat(upstream.received.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("echo:" + i);
    }
    for (int i = 0; i < 50; i++) {
      assertThat(client.next()).isEqualTo("text:" + i);
    }
    assertThat(upstream.handshakes.poll().get("authorization")).isEqualTo("Bearer " + TestGateway.OPENAI_KEY);
    client.ws.sendClose(1000, "done").join();
  }

  @Test
  void relaysBinaryFramesAndPingsBothWays() throws Exception {
    Client client = connect(tenantKey("rt"), "/openai/v1/realtime?model=gpt-realtime");

    client.ws.sendBinary(ByteBuffer.wrap(new byte[3000]), true).join();
    client.ws.sendPing(ByteBuffer.wrap(new byte[] {1, 2, 3})).join();

    assertThat(upstream.received.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("binary:3000");
    assertThat(upstream.received.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("ping");
    assertThat(client.next()).isEqualTo("binary:3000");
    assertThat(client.next()).isEqualTo("pong:3");
    client.ws.sendClose(1000, "done").join();
  }

  @Test
  void passesTheBetaHeaderFromTheBrowserSubprotocolAndNeverTheCredential() throws Exception {
    String key = tenantKey("rt");
    WebSocketListener listener = new WebSocketListener();
    WebSocket ws = http.newWebSocketBuilder()
        .subprotocols("realtime", "openai-insecure-api-key." + key, "openai-beta.realtime-v1")
        .buildAsync(URI.create(wsUrl("/v1/realtime?model=gpt-realtime")), listener).join();

    assertThat(ws.getSubprotocol()).isEqualTo("realtime");
    var headers = upstream.handshakes.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(headers.get("openai-beta")).isEqualTo("realtime=v1");
    assertThat(headers.get("authorization")).isEqualTo("Bearer " + TestGateway.OPENAI_KEY);
    assertThat(headers.get("sec-websocket-protocol")).isNull();
    ws.sendClose(1000, "done").join();
  }

  @Test
  void aBrowserConnectsWithTheSessionTokenFromSlashSession() throws Exception {
    String key = tenantKey("rt");
    HttpResponse<String> session = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/session"))
        .header("Authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
        HttpResponse.BodyHandlers.ofString());
    String token = JSON.readTree(session.body()).get("session_token").asText();
    WebSocketListener listener = new WebSocketListener();

    WebSocket ws = http.newWebSocketBuilder().subprotocols("realtime", "tollgate-session." + token)
        .buildAsync(URI.create(wsUrl("/v1/realtime?model=gpt-realtime")), listener).join();
    ws.sendText("echo:hello", true).join();

    assertThat(listener.events.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("text:hello");
    ws.sendClose(1000, "done").join();
    assertThatThrownBy(() -> http.newWebSocketBuilder().subprotocols("realtime", "tollgate-session." + token + "x")
        .buildAsync(URI.create(wsUrl("/v1/realtime?model=gpt-realtime")), new WebSocketListener()).join())
        .hasCauseInstanceOf(WebSocketHandshakeException.class);
  }

  @Test
  void aClientCloseReachesTheUpstreamWithItsCodeAndReleasesTheSlot() throws Exception {
    String tenant = newTenant("single");
    Client client = connect(key(tenant), "/v1/realtime?model=gpt-realtime");
    assertThat(streamsInFlight(tenant)).isEqualTo(1);

    client.ws.sendClose(4000, "bye").join();

    assertThat(upstream.received.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("close:4000:bye");
    assertThat(client.next()).startsWith("close:4000");
    awaitSlotsReleased(tenant);
  }

  @Test
  void anUpstreamCloseReachesTheClientWithItsCode() throws Exception {
    String tenant = newTenant("rt");
    Client client = connect(key(tenant), "/v1/realtime?model=gpt-realtime");

    client.ws.sendText("close:4001", true).join();

    assertThat(client.next()).isEqualTo("close:4001:upstream bye");
    awaitSlotsReleased(tenant);
  }

  @Test
  void anUpstreamThatDropsTheConnectionClosesTheClientWith1011() throws Exception {
    String tenant = newTenant("rt");
    Client client = connect(key(tenant), "/v1/realtime?model=gpt-realtime");

    client.ws.sendText("drop", true).join();

    assertThat(client.next()).startsWith("close:1011");
    awaitSlotsReleased(tenant);
  }

  @Test
  void aClientThatVanishesClosesTheUpstreamAndReleasesTheSlot() throws Exception {
    String tenant = newTenant("single");
    Client client = connect(key(tenant), "/v1/realtime?model=gpt-realtime");
    client.ws.sendText("echo:x", true).join();
    assertThat(client.next()).isEqualTo("text:x");

    client.ws.abort();

    assertThat(upstream.received.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("echo:x");
    assertThat(upstream.received.poll(WAIT_SECONDS, TimeUnit.SECONDS)).startsWith("close:1001");
    awaitSlotsReleased(tenant);
    connect(key(tenant), "/v1/realtime?model=gpt-realtime").ws.sendClose(1000, "done").join();
  }

  @Test
  void aSessionHoldsTheStreamSlotSoASecondOneIsRefused() throws Exception {
    String tenant = newTenant("single");
    Client first = connect(key(tenant), "/v1/realtime?model=gpt-realtime");

    assertThatThrownBy(() -> connect(key(tenant), "/v1/realtime?model=gpt-realtime"))
        .hasCauseInstanceOf(WebSocketHandshakeException.class)
        .satisfies(e -> assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode())
            .isEqualTo(429));

    first.ws.sendClose(1000, "done").join();
    awaitSlotsReleased(tenant);
    connect(key(tenant), "/v1/realtime?model=gpt-realtime").ws.sendClose(1000, "done").join();
  }

  @Test
  void anUnreachableUpstreamIsABadGatewayAndReleasesTheSlot() throws Exception {
    String tenant = newTenant("single");

    assertThatThrownBy(() -> connect(key(tenant), "/down/v1/realtime?model=gpt-realtime"))
        .hasCauseInstanceOf(WebSocketHandshakeException.class)
        .satisfies(e -> assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode())
            .isEqualTo(502));
    awaitSlotsReleased(tenant);
  }

  @Test
  void meterstheUsageOfResponseDoneEvents() throws Exception {
    String tenant = newTenant("rt");
    Client client = connect(key(tenant), "/v1/realtime?model=gpt-realtime");

    client.ws.sendText("usage:1200:345", true).join();
    client.ws.sendText("usage:100:5", true).join();
    assertThat(client.next()).contains("response.done");
    assertThat(client.next()).contains("response.done");
    client.ws.sendClose(1000, "done").join();
    awaitSlotsReleased(tenant);

    String metrics = metrics();
    assertThat(metrics).contains("tollgate_tokens_total{kind=\"input\",model=\"gpt-realtime\",provider=\"openai\"} ");
    assertThat(tokens(metrics, "input")).isGreaterThanOrEqualTo(1300);
    assertThat(tokens(metrics, "audio_output")).isGreaterThanOrEqualTo(350);
    assertThat(metrics).contains("tollgate_realtime_session_duration_seconds_count");
  }

  @Test
  void stopsTheSessionWithABudgetErrorAndPolicyCloseWhenTheTokenBudgetRunsOut() throws Exception {
    String tenant = newTenant("budget");
    Client client = connect(key(tenant), "/v1/realtime?model=gpt-realtime");

    client.ws.sendText("usage:2000:0", true).join();

    assertThat(client.next()).contains("response.done");
    String error = client.next();
    assertThat(JSON.readTree(error.substring("text:".length())).at("/error/type").asText()).isEqualTo("budget_exceeded");
    assertThat(client.next()).startsWith("close:1008");
    awaitSlotsReleased(tenant);
  }

  // ---- helpers ------------------------------------------------------------------------------

  private record Client(WebSocket ws, WebSocketListener listener) {
    String next() throws InterruptedException {
      String event = listener.events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(event).as("a WebSocket event within " + WAIT_SECONDS + " s").isNotNull();
      return event;
    }
  }

  private Client connect(String key, String path) {
    WebSocketListener listener = new WebSocketListener();
    try {
      WebSocket ws = http.newWebSocketBuilder().header("Authorization", "Bearer " + key)
          .buildAsync(URI.create(wsUrl(path)), listener).join();
      return new Client(ws, listener);
    } catch (CompletionException e) {
      throw e;
    }
  }

  private static String wsUrl(String path) {
    return gateway.baseUrl().replace("http://", "ws://") + path;
  }

  private static String newTenant(String plan) throws Exception {
    String id = "ws-" + plan + "-" + (++tenants);
    gateway.createTenant(id, plan);
    return id;
  }

  private static String key(String tenant) throws Exception {
    return gateway.createKey(tenant).get("key").asText();
  }

  private static String tenantKey(String plan) throws Exception {
    return key(newTenant(plan));
  }

  private static int streamsInFlight(String tenant) {
    return gateway.server().admission().inFlight().inFlight("s:" + tenant);
  }

  /** Slots are released when the gateway sees the client connection close, which may trail the close frame. */
  private static void awaitSlotsReleased(String tenant) throws InterruptedException {
    var inFlight = gateway.server().admission().inFlight();
    for (int i = 0; i < 500 && (inFlight.inFlight(tenant) > 0 || inFlight.inFlight("s:" + tenant) > 0); i++) {
      Thread.sleep(10);
    }
    assertThat(inFlight.inFlight(tenant)).as("requests in flight").isZero();
    assertThat(inFlight.inFlight("s:" + tenant)).as("streams in flight").isZero();
  }

  private String metrics() throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.adminUrl() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private static double tokens(String metrics, String kind) {
    String prefix = "tollgate_tokens_total{kind=\"" + kind + "\",model=\"gpt-realtime\",provider=\"openai\"} ";
    return metrics.lines().filter(l -> l.startsWith(prefix)).mapToDouble(l -> Double.parseDouble(l.substring(prefix.length())))
        .findFirst().orElse(0);
  }

  /** Records what the client receives: {@code text:...}, {@code binary:N}, {@code pong:N}, {@code close:CODE:REASON}. */
  static final class WebSocketListener implements WebSocket.Listener {
    final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        events.add("text:" + text);
        text.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      events.add("binary:" + data.remaining());
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
      events.add("pong:" + message.remaining());
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      events.add("close:" + statusCode + ":" + reason);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      events.add("error:" + error);
    }
  }
}
