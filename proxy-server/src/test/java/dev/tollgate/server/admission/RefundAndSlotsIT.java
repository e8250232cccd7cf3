package dev.tollgate.server.admission;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.server.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Quota is given back when the upstream fails, every in-flight slot is given back however a request
 * ends, and the plan's concurrency limit ({@code plans/refund-and-slots.yaml}: 3) refuses the fourth.
 * WireMock answers 500s and slow responses; a JDK HttpServer holds requests (and a stream mid-way) until
 * the test lets them go, so "in flight" is a fact, not a timing guess.
 */
class RefundAndSlotsIT {

  static WireMockServer upstream;
  static HttpServer held;
  static ExecutorService heldThreads;
  static TestGateway gateway;
  static Traffic traffic;
  static volatile CountDownLatch release = new CountDownLatch(0);
  static final Semaphore arrived = new Semaphore(0);

  @BeforeAll
  static void start() throws Exception {
    upstream = new WireMockServer(options().dynamicPort());
    upstream.start();
    upstream.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json").withBody(Traffic.CHAT_OK)));
    upstream.stubFor(post("/ok/fine").willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json").withBody("{\"ok\":true}")));
    upstream.stubFor(post("/err/boom").willReturn(aResponse().withStatus(500)
        .withHeader("content-type", "application/json").withBody("{\"error\":{\"message\":\"boom\"}}")));
    upstream.stubFor(post("/slow/wait").willReturn(aResponse().withStatus(200).withFixedDelay(1_200)
        .withHeader("content-type", "application/json").withBody("{\"late\":true}")));
    heldThreads = Executors.newCachedThreadPool();
    held = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    held.setExecutor(heldThreads);
    held.createContext("/hold/", RefundAndSlotsIT::holdThenAnswer);
    held.createContext("/stream/", RefundAndSlotsIT::streamHalfThenHold);
    held.start();
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String wiremock = upstream.baseUrl();
    String heldUrl = "http://127.0.0.1:" + held.getAddress().getPort();
    gateway = TestGateway.start("providers:\n"
        + "  openai:\n    baseUrl: " + wiremock + "\n"
        + "  plain:\n    baseUrl: " + wiremock + "\n    auth: bearer\n    apiKey: x\n"
        + "  sluggish:\n    baseUrl: " + wiremock + "\n    auth: bearer\n    apiKey: x\n    responseTimeoutMillis: 300\n"
        + "  unreachable:\n    baseUrl: http://127.0.0.1:" + closedPort + "\n    auth: bearer\n    apiKey: x\n"
        + "  held:\n    baseUrl: " + heldUrl + "\n    auth: bearer\n    apiKey: x\n"
        + "routes:\n"
        + "  - {pathPrefix: /ok/, provider: plain}\n"
        + "  - {pathPrefix: /err/, provider: plain}\n"
        + "  - {pathPrefix: /slow/, provider: sluggish}\n"
        + "  - {pathPrefix: /down/, provider: unreachable}\n"
        + "  - {pathPrefix: /hold/, provider: held}\n"
        + "  - {pathPrefix: /stream/, provider: held}\n"
        + "plans:\n  catalogueFile: " + Traffic.testResource("plans/refund-and-slots.yaml") + "\n");
    traffic = new Traffic(gateway);
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    upstream.stop();
    held.stop(0);
    heldThreads.shutdownNow();
  }

  @BeforeEach
  void holdUntilReleased() {
    release = new CountDownLatch(1);
    arrived.drainPermits();
    upstream.resetRequests();
  }

  @AfterEach
  void letHeldRequestsGo() {
    release.countDown();
  }

  @Test
  void upstreamErrorsConnectFailuresAndTimeoutsDoNotConsumeQuota() throws Exception {
    String key = tenantWithKey("refunds");
    assertThat(traffic.send(traffic.post("/ok/fine", key, "{}").build()).statusCode()).isEqualTo(200);
    assertThat(traffic.standingOnce("refunds", s -> s.get("inFlightRequests").asInt() == 0).get("used").asLong())
        .isEqualTo(1);

    HttpResponse<String> upstream500 = traffic.send(traffic.post("/err/boom", key, "{}").build());
    HttpResponse<String> refused = traffic.send(traffic.post("/down/any", key, "{}").build());
    HttpResponse<String> timedOut = traffic.send(traffic.post("/slow/wait", key, "{}").build());

    assertThat(upstream500.statusCode()).isEqualTo(500);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(502);
    assertThat(timedOut.statusCode()).as(timedOut.body()).isEqualTo(504);
    JsonNode standing = traffic.standingOnce("refunds",
        s -> s.get("used").asLong() == 1 && s.get("inFlightRequests").asInt() == 0);
    assertThat(standing.get("used").asLong()).isEqualTo(1);
    assertThat(standing.get("remaining").asLong()).isEqualTo(999);
    assertThat(standing.get("inFlightRequests").asInt()).isZero();
  }

  @Test
  void concurrencyLimitOfThreeRefusesTheFourthConcurrentRequest() throws Exception {
    String key = tenantWithKey("slots");
    List<CompletableFuture<HttpResponse<String>>> holding = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      holding.add(traffic.sendAsync(traffic.post("/hold/" + i, key, "{}").build()));
    }
    assertThat(arrived.tryAcquire(3, 10, TimeUnit.SECONDS)).as("three requests reach the upstream").isTrue();
    assertThat(traffic.standing("slots").get("inFlightRequests").asInt()).isEqualTo(3);

    HttpResponse<String> fourth = traffic.send(traffic.post("/hold/3", key, "{}").build());

    assertThat(fourth.statusCode()).isEqualTo(429);
    assertThat(Traffic.errorCode(fourth)).isEqualTo("concurrency_limit_exceeded");
    assertThat(Traffic.errorMessage(fourth)).contains("Plan 'slots' allows 3 requests in flight at once.");
    assertThat(fourth.headers().firstValue("retry-after")).isPresent();
    assertThat(arrived.availablePermits()).as("the fourth never reached the upstream").isZero();
    release.countDown();
    for (CompletableFuture<HttpResponse<String>> response : holding) {
      assertThat(response.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    assertThat(traffic.standingOnce("slots", s -> s.get("inFlightRequests").asInt() == 0)
        .get("inFlightRequests").asInt()).isZero();
    assertThat(traffic.chat(key).statusCode()).as("a freed slot admits again").isEqualTo(200);
  }

  @Test
  void inFlightCountReturnsToZeroAfterCompletionsErrorsTimeoutsAndClientAborts() throws Exception {
    String key = tenantWithKey("mix");
    // 1. Completions, an upstream 500, a connect failure and a response timeout, three at a time.
    List<CompletableFuture<HttpResponse<String>>> batch = List.of(
        traffic.sendAsync(traffic.post("/ok/fine", key, "{}").build()),
        traffic.sendAsync(traffic.post("/err/boom", key, "{}").build()),
        traffic.sendAsync(traffic.post("/slow/wait", key, "{}").build()));
    List<Integer> statuses = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> response : batch) {
      statuses.add(response.get(10, TimeUnit.SECONDS).statusCode());
    }
    statuses.add(traffic.send(traffic.post("/down/any", key, "{}").build()).statusCode());
    statuses.add(traffic.chat(key).statusCode());
    assertThat(statuses).containsExactly(200, 500, 504, 502, 200);

    // 2. A client that gives up before the response headers, and one that leaves a stream mid-way.
    try (Socket waiting = rawPost("/hold/abort", key); Socket streaming = rawPost("/stream/abort", key)) {
      assertThat(arrived.tryAcquire(2, 10, TimeUnit.SECONDS)).as("both reach the upstream").isTrue();
      assertThat(readUntil(streaming.getInputStream(), "data: {\"part\":1}")).startsWith("HTTP/1.1 200");
      assertThat(traffic.standing("mix").get("inFlightRequests").asInt()).isEqualTo(2);
    }
    JsonNode standing = traffic.standingOnce("mix", s -> s.get("inFlightRequests").asInt() == 0);
    release.countDown();

    assertThat(standing.get("inFlightRequests").asInt()).isZero();
    assertThat(inFlightGaugeOnceZero()).isZero();
    // The completions (and the stream the client left after it had begun) are charged, the rest refunded.
    assertThat(traffic.standingOnce("mix", s -> s.get("used").asLong() == 3).get("used").asLong()).isEqualTo(3);
  }

  private static String tenantWithKey(String id) throws Exception {
    gateway.createTenant(id, "slots");
    return gateway.createKey(id).get("key").asText();
  }

  private static double inFlightGaugeOnceZero() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    double value = traffic.inFlightGauge();
    while (value != 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
      value = traffic.inFlightGauge();
    }
    return value;
  }

  private static Socket rawPost(String path, String key) throws IOException {
    Socket socket = new Socket("127.0.0.1", gateway.server().port());
    socket.setSoTimeout(10_000);
    OutputStream out = socket.getOutputStream();
    out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
        + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return socket;
  }

  private static String readUntil(InputStream in, String end) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (!out.toString(StandardCharsets.UTF_8).contains(end)) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed by the gateway after: " + out.toString(StandardCharsets.UTF_8));
      }
      out.write(b);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static void holdThenAnswer(HttpExchange exchange) throws IOException {
    exchange.getRequestBody().readAllBytes();
    arrived.release();
    awaitRelease();
    byte[] body = "{\"held\":true}".getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("content-type", "application/json");
    try {
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
    } catch (IOException gatewayGone) {
      // the client gave up, so the gateway closed this connection
    } finally {
      exchange.close();
    }
  }

  private static void streamHalfThenHold(HttpExchange exchange) throws IOException {
    exchange.getRequestBody().readAllBytes();
    exchange.getResponseHeaders().set("content-type", "text/event-stream");
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    out.write("data: {\"part\":1}\n\n".getBytes(StandardCharsets.UTF_8));
    out.flush();
    arrived.release();
    awaitRelease();
    try {
      out.write("data: {\"part\":2}\n\ndata: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException gatewayGone) {
      // the client left mid-stream, so the gateway closed this connection
    } finally {
      exchange.close();
    }
  }

  private static void awaitRelease() {
    try {
      release.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
