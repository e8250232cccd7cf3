package dev.tollgate.server.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tollgate.server.testing.TestGateway;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Streams relayed event by event: a client sees each SSE event when the provider sends it, a provider
 * that drops the connection mid-stream cuts the client's stream visibly, and a client that goes away
 * closes the provider connection so no more tokens are spent.
 */
class StreamingRelayIT {

  private static final long EVENT_GAP_MILLIS = 300;

  static ScriptedUpstream upstream;
  static TestGateway gateway;
  static String key;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    upstream = new ScriptedUpstream();
    gateway = TestGateway.start("providers:\n"
        + "  openai:\n    baseUrl: " + upstream.baseUrl() + "\n"
        + "  quiet:\n    baseUrl: " + upstream.baseUrl() + "\n    auth: bearer\n"
        + "    apiKey: ${OPENAI_API_KEY}\n    dialect: openai\n    idleTimeoutMillis: 300\n");
    key = gateway.createTenantWithKey("acme");
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    upstream.close();
  }

  @AfterEach
  void streamsAndRequestsAreAllEnded() throws Exception {
    GatewayMeters.assertNothingInFlight(gateway);
  }

  @Test
  void deliversEachEventToTheClientAsSoonAsTheProviderSendsIt() throws Exception {
    AtomicLong lastSentNanos = new AtomicLong();
    upstream.script(exchange -> {
      exchange.writeSseHead();
      for (int i = 0; i < 5; i++) {
        if (i > 0) {
          Thread.sleep(EVENT_GAP_MILLIS);
        }
        exchange.writeChunk(chunk("part" + i));
      }
      lastSentNanos.set(System.nanoTime());
      exchange.writeChunk(usageChunk(4, 5) + "data: [DONE]\n\n");
      exchange.writeLastChunk();
    });

    HttpResponse<InputStream> response = http.send(chatRequest(false), HttpResponse.BodyHandlers.ofInputStream());
    ArrivingEvents arriving = ArrivingEvents.read(response.body());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(arriving.events()).hasSize(6).last().isEqualTo("data: [DONE]");
    assertThat(arriving.events().get(0)).contains("part0");
    assertThat(lastSentNanos.get() - arriving.firstArrivalNanos())
        .as("the first event arrived well before the provider sent the last one")
        .isGreaterThan(TimeUnit.MILLISECONDS.toNanos(500));
  }

  @Test
  void cutsTheClientStreamWhenTheProviderResetsMidStreamAndKeepsServing() throws Exception {
    upstream.script(exchange -> {
      exchange.writeSseHead();
      exchange.writeChunk(chunk("one"));
      exchange.writeChunk(chunk("two"));
      Thread.sleep(100);
      exchange.reset();
    });

    HttpResponse<InputStream> response = http.send(chatRequest(true), HttpResponse.BodyHandlers.ofInputStream());
    List<String> events = new ArrayList<>();
    Throwable failure = catchThrowable(() -> {
      try (BufferedReader lines = reader(response.body())) {
        String line;
        while ((line = lines.readLine()) != null) {
          if (line.startsWith("data:")) {
            events.add(line);
          }
        }
      }
    });

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(events).hasSize(2);
    assertThat(failure).as("a cut stream must not look like a complete one").isInstanceOf(IOException.class);
    assertTheNextStreamIsServedWhole();
  }

  @Test
  void cutsTheClientStreamWhenTheProviderClosesMidStreamAndKeepsServing() throws Exception {
    upstream.script(exchange -> {
      exchange.writeSseHead();
      exchange.writeChunk(chunk("one"));
      Thread.sleep(100);
      // an orderly close without the terminating zero-length chunk
    });

    HttpResponse<InputStream> response = http.send(chatRequest(true), HttpResponse.BodyHandlers.ofInputStream());
    Throwable failure = catchThrowable(() -> response.body().readAllBytes());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(failure).isInstanceOf(IOException.class);
    assertTheNextStreamIsServedWhole();
  }

  @Test
  void closesTheProviderConnectionWhenTheClientAbortsMidStream() throws Exception {
    BlockingQueue<ScriptedUpstream.Exchange> exchanges = new LinkedBlockingQueue<>();
    upstream.script(exchange -> {
      exchange.watchForPeerClose(upstream.threads());
      exchanges.add(exchange);
      exchange.writeSseHead();
      for (int i = 0; i < 100 && !exchange.awaitPeerClosed(0); i++) {
        exchange.writeChunk(chunk("tick" + i));
        Thread.sleep(50);
      }
    });

    try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port())) {
      client.setSoTimeout(5000);
      sendStreamingChat(client, "stream-abort");
      BufferedReader lines = reader(client.getInputStream());
      String line;
      do {
        line = lines.readLine();
      } while (line != null && !line.startsWith("data:"));
      assertThat(line).as("the stream started").contains("tick0");
    }

    ScriptedUpstream.Exchange exchange = exchanges.poll(5, TimeUnit.SECONDS);
    assertThat(exchange).isNotNull();
    assertThat(exchange.awaitPeerClosed(5000)).as("the gateway closed the provider connection").isTrue();
  }

  @Test
  void closesTheProviderConnectionWhenTheClientLeavesBeforeTheResponseStarts() throws Exception {
    BlockingQueue<ScriptedUpstream.Exchange> exchanges = new LinkedBlockingQueue<>();
    upstream.script(exchange -> {
      exchange.watchForPeerClose(upstream.threads());
      exchanges.add(exchange);
      exchange.awaitPeerClosed(10_000); // a provider still thinking: no response head yet
    });

    ScriptedUpstream.Exchange exchange;
    try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port())) {
      sendStreamingChat(client, "early-leave");
      exchange = exchanges.poll(5, TimeUnit.SECONDS);
      assertThat(exchange).as("the request reached the provider").isNotNull();
      assertThat(exchange.awaitPeerClosed(300)).as("still open while the client waits").isFalse();
    }

    assertThat(exchange.awaitPeerClosed(5000)).as("closed once the client left").isTrue();
  }

  @Test
  void relaysAStreamThatTheProviderEndsByClosingTheConnection() throws Exception {
    String events = chunk("a") + chunk("b") + usageChunk(2, 2) + "data: [DONE]\n\n";
    upstream.script(exchange -> {
      // no content-length and no chunked framing: the body ends when the connection does
      exchange.writeRaw("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n");
      exchange.writeRaw(events);
    });

    HttpResponse<String> response = http.send(chatRequest(true), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(events);
    assertTheNextStreamIsServedWhole();
  }

  @Test
  void cutsAStreamThatFallsSilentLongerThanTheProvidersIdleTimeout() throws Exception {
    BlockingQueue<ScriptedUpstream.Exchange> exchanges = new LinkedBlockingQueue<>();
    upstream.script(exchange -> {
      exchange.watchForPeerClose(upstream.threads());
      exchanges.add(exchange);
      exchange.writeSseHead();
      exchange.writeChunk(chunk("then-silence"));
      exchange.awaitPeerClosed(10_000);
    });

    HttpResponse<InputStream> response = http.send(quietStreamRequest(), HttpResponse.BodyHandlers.ofInputStream());
    Throwable failure = catchThrowable(() -> response.body().readAllBytes());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(failure).isInstanceOf(IOException.class);
    ScriptedUpstream.Exchange exchange = exchanges.poll(5, TimeUnit.SECONDS);
    assertThat(exchange).isNotNull();
    assertThat(exchange.awaitPeerClosed(5000)).as("the silent provider connection was closed").isTrue();
  }

  @Test
  void keepsAStreamWhoseEventsComeMoreOftenThanTheIdleTimeout() throws Exception {
    // eight events 150 ms apart on the 300 ms provider: 1.2 s in all, each gap within the timeout, so
    // the wait must start again after every read, not once per answer
    StringBuilder sent = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      sent.append(chunk("steady" + i));
    }
    sent.append("data: [DONE]\n\n");
    upstream.script(exchange -> {
      exchange.writeSseHead();
      for (int i = 0; i < 8; i++) {
        exchange.writeChunk(chunk("steady" + i));
        Thread.sleep(150);
      }
      exchange.writeChunk("data: [DONE]\n\n");
      exchange.writeLastChunk();
    });

    HttpResponse<String> response = http.send(quietStreamRequest(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(sent.toString());
  }

  @Test
  void hidesAnInjectedUsageEventThatArrivesSplitAcrossReads() throws Exception {
    String content = "data: {\"id\":\"s\",\"object\":\"chat.completion.chunk\",\"model\":\"split-usage\","
        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}],\"usage\":null}\n\n";
    String usage = "data: {\"id\":\"s\",\"object\":\"chat.completion.chunk\",\"model\":\"split-usage\","
        + "\"choices\":[],\"usage\":{\"prompt_tokens\":31,\"completion_tokens\":17,\"total_tokens\":48}}\n\n";
    int cut = usage.indexOf("\"prompt_tokens\"") + 5;
    upstream.script(exchange -> {
      exchange.writeSseHead();
      exchange.writeChunk(content + usage.substring(0, cut));
      Thread.sleep(100); // the rest comes in a later read
      exchange.writeChunk(usage.substring(cut) + "data: [DONE]\n\n");
      exchange.writeLastChunk();
    });

    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"split-usage\",\"stream\":true,\"messages\":[]}")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(content + "data: [DONE]\n\n");
    assertThat(GatewayMeters.awaitTokens(gateway, "openai", "split-usage", "input", 31)).isEqualTo(31);
    assertThat(GatewayMeters.tokens(gateway, "openai", "split-usage", "output")).isEqualTo(17);
  }

  @Test
  void pausesTheProviderWhileTheClientDoesNotRead() throws Exception {
    int eventBytes = 64 * 1024;
    int events = 1024; // 64 MiB: far more than the socket buffers and watermarks between the two ends
    String event = "data: " + "x".repeat(eventBytes - 8) + "\n\n";
    AtomicLong writtenBytes = new AtomicLong();
    CountDownLatch allWritten = new CountDownLatch(1);
    upstream.script(exchange -> {
      exchange.writeSseHead();
      for (int i = 0; i < events; i++) {
        exchange.writeChunk(event);
        writtenBytes.addAndGet(eventBytes);
      }
      exchange.writeChunk("data: [DONE]\n\n");
      exchange.writeLastChunk();
      allWritten.countDown();
    });

    try (Socket client = new Socket()) {
      client.setReceiveBufferSize(16 * 1024);
      client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port()), 5000);
      client.setSoTimeout(10_000);
      sendStreamingChat(client, "backpressure");

      // the client reads nothing: the provider must stall long before it has written everything
      long stalledAt = RawStreamClient.awaitStall(writtenBytes::get, () -> allWritten.getCount() == 0);
      assertThat(allWritten.getCount()).as("the provider was paused, not drained into gateway memory").isEqualTo(1);
      assertThat(stalledAt).isLessThan((long) events * eventBytes);

      // once the client reads, the whole stream arrives
      long received = RawStreamClient.readUntilDone(client.getInputStream());
      assertThat(received).isGreaterThan((long) events * eventBytes);
      assertThat(allWritten.await(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  private void assertTheNextStreamIsServedWhole() throws Exception {
    upstream.script(exchange -> {
      exchange.writeSseHead();
      exchange.writeChunk(chunk("again") + usageChunk(3, 1) + "data: [DONE]\n\n");
      exchange.writeLastChunk();
    });
    HttpResponse<String> next = http.send(chatRequest(true), HttpResponse.BodyHandlers.ofString());
    assertThat(next.statusCode()).isEqualTo(200);
    assertThat(next.body()).contains("again").endsWith("data: [DONE]\n\n");
  }

  private static void sendStreamingChat(Socket client, String model) throws IOException {
    RawStreamClient.postChat(client, key, "{\"model\":\"" + model
        + "\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[]}");
  }

  private HttpRequest chatRequest(boolean clientAsksForUsage) {
    String body = "{\"model\":\"stream-model\",\"stream\":true,"
        + (clientAsksForUsage ? "\"stream_options\":{\"include_usage\":true}," : "") + "\"messages\":[]}";
    return HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  /** A streamed chat request to the provider with the 300 ms idle timeout. */
  private HttpRequest quietStreamRequest() {
    return HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/quiet/v1/chat/completions"))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"quiet\",\"stream\":true,\"messages\":[]}")).build();
  }

  private static String chunk(String text) {
    return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"stream-model\","
        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text + "\"}}]}\n\n";
  }

  private static String usageChunk(int input, int output) {
    return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"stream-model\",\"choices\":[],"
        + "\"usage\":{\"prompt_tokens\":" + input + ",\"completion_tokens\":" + output + "}}\n\n";
  }

  private static BufferedReader reader(InputStream in) {
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
  }

  private static int port() {
    return URI.create(gateway.baseUrl()).getPort();
  }
}
