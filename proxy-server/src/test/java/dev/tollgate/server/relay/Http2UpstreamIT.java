package dev.tollgate.server.relay;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.server.testing.TestGateway;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A provider with {@code http2: true}: requests travel as streams of one shared HTTP/2 connection per
 * event loop (cleartext h2c with prior knowledge against {@link Http2Upstream}; ALPN "h2" over TLS).
 * Each test gets a fresh provider and a gateway with one event loop, so "one connection" is exact.
 */
class Http2UpstreamIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  Http2Upstream upstream;
  TestGateway gateway;
  String key;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      GatewayMeters.assertNothingInFlight(gateway);
      gateway.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  void relaysAJsonAnswerAndAnSseStreamOverH2cAndMetersBoth() throws Exception {
    startH2c();

    HttpResponse<String> json = http.send(chat("h2-json", false), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> sse = http.send(chat("h2-sse", true), HttpResponse.BodyHandlers.ofString());

    assertThat(json.statusCode()).isEqualTo(200);
    assertThat(json.body()).isEqualTo(Http2Upstream.JSON_BODY);
    assertThat(json.headers().map()).doesNotContainKey("x-http2-stream-id");
    assertThat(sse.statusCode()).isEqualTo(200);
    // the client did not ask for usage: the gateway asked for it and hides the usage event, as on HTTP/1.1
    assertThat(sse.body()).isEqualTo(Http2Upstream.chunk("one") + Http2Upstream.chunk("two") + "data: [DONE]\n\n");
    assertThat(GatewayMeters.awaitTokens(gateway, "openai", "h2-json", "input", 7)).isEqualTo(7);
    assertThat(GatewayMeters.tokens(gateway, "openai", "h2-json", "output")).isEqualTo(3);
    assertThat(GatewayMeters.awaitTokens(gateway, "openai", "h2-sse", "input", 11)).isEqualTo(11);
    assertThat(upstream.connections()).isEqualTo(1);
    assertThat(upstream.streams()).isEqualTo(2);
  }

  @Test
  void anAnswerWhoseHeadersEndTheStreamIsRelayedWholeAndTheConnectionServesTheNext() throws Exception {
    startH2c();

    HttpResponse<String> empty = http.send(chat("h2-empty", false), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> json = http.send(chat("h2-json", false), HttpResponse.BodyHandlers.ofString());

    assertThat(empty.statusCode()).isEqualTo(200);
    assertThat(empty.body()).isEmpty();
    assertThat(empty.headers().firstValue("content-length")).contains("0");
    assertThat(json.statusCode()).isEqualTo(200);
    assertThat(json.body()).isEqualTo(Http2Upstream.JSON_BODY);
    assertThat(upstream.connections()).isEqualTo(1);
  }

  @Test
  void twentyConcurrentStreamsShareOneProviderConnection() throws Exception {
    startH2c();

    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      responses.add(http.sendAsync(chat("h2-hold", true), HttpResponse.BodyHandlers.ofString()));
    }
    List<Channel> held = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Channel stream = upstream.held().poll(10, TimeUnit.SECONDS);
      assertThat(stream).as("stream %d reached the provider", i).isNotNull();
      held.add(stream);
    }
    assertThat(held.stream().map(Channel::parent).distinct()).hasSize(1);
    held.forEach(Http2Upstream::finish);

    for (CompletableFuture<HttpResponse<String>> response : responses) {
      HttpResponse<String> done = response.get(10, TimeUnit.SECONDS);
      assertThat(done.statusCode()).isEqualTo(200);
      assertThat(done.body()).startsWith(Http2Upstream.chunk("held")).endsWith("data: [DONE]\n\n");
    }
    assertThat(upstream.connections()).isEqualTo(1);
  }

  @Test
  void streamsBeyondTheProvidersConcurrencyLimitGoToAnotherConnection() throws Exception {
    startH2c(new Http2Upstream(2));

    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      responses.add(http.sendAsync(chat("h2-hold", true), HttpResponse.BodyHandlers.ofString()));
    }
    List<Channel> held = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Channel stream = upstream.held().poll(10, TimeUnit.SECONDS);
      assertThat(stream).as("stream %d reached the provider", i).isNotNull();
      held.add(stream);
    }
    held.forEach(Http2Upstream::finish);

    for (CompletableFuture<HttpResponse<String>> response : responses) {
      HttpResponse<String> done = response.get(10, TimeUnit.SECONDS);
      assertThat(done.statusCode()).isEqualTo(200);
      assertThat(done.body()).endsWith("data: [DONE]\n\n");
    }
    // at most two streams per connection: five streams at once needed three connections
    assertThat(held.stream().map(Channel::parent).distinct()).hasSize(3);
    assertThat(upstream.connections()).isEqualTo(3);
  }

  @Test
  void afterTheProviderSaysGoAwayTheNextRequestOpensANewConnection() throws Exception {
    startH2c();
    HttpResponse<String> first = http.send(chat("h2-json", false), HttpResponse.BodyHandlers.ofString());
    assertThat(upstream.connections()).isEqualTo(1);

    upstream.goAway();
    // the GOAWAY reaches the gateway's loop asynchronously: a request that still went to the old connection
    // is refused by the provider (its stream id is above the last one announced) and retried once on a new one
    HttpResponse<String> next = http.send(chat("h2-json", false), HttpResponse.BodyHandlers.ofString());

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(next.statusCode()).isEqualTo(200);
    assertThat(next.body()).isEqualTo(Http2Upstream.JSON_BODY);
    assertThat(upstream.connections()).isEqualTo(2);
  }

  @Test
  void aClientLeavingMidStreamResetsOnlyItsStreamAndTheConnectionServesTheNextRequest() throws Exception {
    startH2c();

    try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port())) {
      client.setSoTimeout(5000);
      sendStreamingChat(client, "h2-hold");
      assertThat(RawStreamClient.firstDataLine(client.getInputStream())).contains("held");
    }
    Channel stream = upstream.held().poll(5, TimeUnit.SECONDS);
    assertThat(stream).isNotNull();
    assertThat(stream.closeFuture().await(5, TimeUnit.SECONDS)).as("the provider's stream ended").isTrue();

    HttpResponse<String> next = http.send(chat("h2-json", false), HttpResponse.BodyHandlers.ofString());

    assertThat(upstream.resets()).isEqualTo(1);
    assertThat(stream.parent().isActive()).as("the connection stayed open").isTrue();
    assertThat(next.statusCode()).isEqualTo(200);
    assertThat(next.body()).isEqualTo(Http2Upstream.JSON_BODY);
    assertThat(upstream.connections()).isEqualTo(1);
  }

  @Test
  void theProviderClosingTheConnectionMidStreamCutsTheClientsStreamAndTheNextRequestConnectsAgain()
      throws Exception {
    startH2c();
    HttpResponse<InputStream> response = http.send(chat("h2-hold", true), HttpResponse.BodyHandlers.ofInputStream());
    Channel stream = upstream.held().poll(5, TimeUnit.SECONDS);
    assertThat(stream).isNotNull();

    stream.parent().close().sync();
    Throwable failure = catchThrowable(() -> response.body().readAllBytes());
    HttpResponse<String> next = http.send(chat("h2-json", false), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(failure).as("a cut stream must not look like a complete one").isInstanceOf(IOException.class);
    assertThat(next.statusCode()).isEqualTo(200);
    assertThat(next.body()).isEqualTo(Http2Upstream.JSON_BODY);
    assertThat(upstream.connections()).isEqualTo(2);
  }

  @Test
  void pausesTheProvidersStreamWhileTheClientDoesNotRead() throws Exception {
    startH2c();
    long total = (long) Http2Upstream.FLOOD_EVENTS * Http2Upstream.FLOOD_EVENT_BYTES;

    try (Socket client = new Socket()) {
      client.setReceiveBufferSize(16 * 1024);
      client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port()), 5000);
      client.setSoTimeout(10_000);
      sendStreamingChat(client, "h2-flood");

      // the client reads nothing: flow control must stop the provider long before it has written everything
      long stalledAt = RawStreamClient.awaitStall(upstream::floodWrittenBytes, () -> false);
      assertThat(stalledAt).isLessThan(total);

      long received = RawStreamClient.readUntilDone(client.getInputStream());
      assertThat(received).isGreaterThan(total);
    }
    assertThat(upstream.floodWrittenBytes()).isEqualTo(total);
  }

  @Test
  void anHttpsProviderThatDoesNotOfferH2FailsWithA502InTheOpenAiShape() throws Exception {
    try (TlsProvider tls = new TlsProvider(false)) {
      gateway = TestGateway.start(tls.providerYaml());
      key = gateway.createTenantWithKey("acme");

      HttpResponse<String> response = http.send(chat("h2-json", false), HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(502);
      JsonNode error = JSON.readTree(response.body()).get("error");
      assertThat(error.get("code").asText()).isEqualTo("upstream_unavailable");
      assertThat(error.get("type").asText()).isNotBlank();
      assertThat(tls.server.getAllServeEvents()).isEmpty();
    }
  }

  @Test
  void anHttpsProviderThatOffersH2IsReachedOverIt() throws Exception {
    try (TlsProvider tls = new TlsProvider(true)) {
      gateway = TestGateway.start(tls.providerYaml());
      key = gateway.createTenantWithKey("acme");

      HttpResponse<String> response = http.send(chat("h2-json", false), HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(Http2Upstream.JSON_BODY);
      assertThat(tls.server.getAllServeEvents()).singleElement()
          .satisfies(event -> assertThat(event.getRequest().getProtocol()).isEqualTo("HTTP/2.0"));
    }
  }

  private void startH2c() throws Exception {
    startH2c(new Http2Upstream());
  }

  private void startH2c(Http2Upstream provider) throws Exception {
    upstream = provider;
    gateway = TestGateway.start("server:\n  ioThreads: 1\n"
        + "providers:\n  openai:\n    baseUrl: " + upstream.baseUrl() + "\n    http2: true\n");
    key = gateway.createTenantWithKey("acme");
  }

  private HttpRequest chat(String model, boolean stream) {
    String body = "{\"model\":\"" + model + "\"," + (stream ? "\"stream\":true," : "") + "\"messages\":[]}";
    return HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  private void sendStreamingChat(Socket client, String model) throws IOException {
    RawStreamClient.postChat(client, key, "{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[]}");
  }

  private int port() {
    return URI.create(gateway.baseUrl()).getPort();
  }

  /** A WireMock provider on https with a fresh self-signed certificate the gateway trusts. */
  private static final class TlsProvider implements AutoCloseable {

    private static final String PASSWORD = "changeit";
    final WireMockServer server;
    final java.nio.file.Path pem;

    TlsProvider(boolean offerH2) throws Exception {
      java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("h2-tls");
      java.nio.file.Path keystore = dir.resolve("upstream.p12");
      pem = dir.resolve("upstream.pem");
      keytool("-genkeypair", "-alias", "upstream", "-keyalg", "EC", "-groupname", "secp256r1",
          "-dname", "CN=localhost", "-ext", "san=dns:localhost,ip:127.0.0.1", "-validity", "2",
          "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
      keytool("-exportcert", "-rfc", "-alias", "upstream", "-keystore", keystore.toString(),
          "-storetype", "PKCS12", "-storepass", PASSWORD, "-file", pem.toString());
      server = new WireMockServer(options().dynamicPort().dynamicHttpsPort().http2TlsDisabled(!offerH2)
          .keystorePath(keystore.toString()).keystoreType("PKCS12")
          .keystorePassword(PASSWORD).keyManagerPassword(PASSWORD));
      server.start();
      server.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(200)
          .withHeader("content-type", "application/json").withBody(Http2Upstream.JSON_BODY)));
    }

    String providerYaml() {
      return "providers:\n  openai:\n    baseUrl: https://localhost:" + server.httpsPort() + "\n    http2: true\n"
          + "upstream:\n  trustCertFile: " + pem + "\n";
    }

    @Override
    public void close() {
      server.stop();
    }

    private static void keytool(String... args) throws Exception {
      List<String> command = new ArrayList<>();
      command.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
      command.addAll(List.of(args));
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getInputStream().readAllBytes();
      assertThat(process.waitFor()).isZero();
    }
  }
}
