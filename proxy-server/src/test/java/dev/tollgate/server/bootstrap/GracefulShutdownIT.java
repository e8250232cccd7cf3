package dev.tollgate.server.bootstrap;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.server.testing.TestGateway;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link GatewayServer#close} drains: the listener goes away at once, an open stream still runs to its end. */
class GracefulShutdownIT {

  private static final int EVENTS = 12;

  WireMockServer upstream;
  TestGateway gateway;
  boolean gatewayClosed;

  @BeforeEach
  void start() throws Exception {
    upstream = new WireMockServer(options().dynamicPort());
    upstream.start();
    gateway = TestGateway.start("server:\n  shutdownGraceMillis: 10000\n"
        + "providers:\n  openai:\n    baseUrl: " + upstream.baseUrl() + "\n");
  }

  @AfterEach
  void stop() throws Exception {
    if (!gatewayClosed) {
      gateway.close();
    }
    upstream.stop();
  }

  @Test
  void closeRefusesNewConnectionsButLetsAnInFlightStreamFinish() throws Exception {
    String key = gateway.createTenantWithKey("acme");
    upstream.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "text/event-stream").withBody(sse())
        .withChunkedDribbleDelay(EVENTS, 1500)));
    int port = gateway.server().port();
    HttpResponse<InputStream> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
            .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[]}"))
            .build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    BufferedReader body = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
    List<String> lines = new ArrayList<>();
    lines.add(body.readLine()); // the stream is open: the first bytes went through

    CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> {
      try {
        gateway.close();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    gatewayClosed = true;
    awaitConnectionRefused(port);
    boolean closeStillDrainingWhenRefused = !closed.isDone();
    int inFlightWhenRefused = gateway.server().metrics().inFlight().get();

    for (String line = body.readLine(); line != null; line = body.readLine()) {
      lines.add(line);
    }
    closed.get(10, TimeUnit.SECONDS);

    assertThat(closeStillDrainingWhenRefused).isTrue();
    assertThat(inFlightWhenRefused).isEqualTo(1);
    List<String> data = lines.stream().filter(l -> l.startsWith("data: ")).toList();
    assertThat(data).hasSize(EVENTS + 1).last().isEqualTo("data: [DONE]");
    assertThat(gateway.server().metrics().inFlight().get()).isZero();
  }

  /** Connects until the listener refuses (it closes first thing in close()); fails after five seconds. */
  private static void awaitConnectionRefused(int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      } catch (ConnectException e) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("port " + port + " still accepts connections after close() started");
  }

  private static String sse() {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < EVENTS; i++) {
      out.append("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,")
          .append("\"delta\":{\"content\":\"part").append(i).append("\"}}]}\n\n");
    }
    return out.append("data: [DONE]\n\n").toString();
  }
}
