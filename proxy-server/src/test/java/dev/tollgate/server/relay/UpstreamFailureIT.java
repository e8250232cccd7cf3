package dev.tollgate.server.relay;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.tollgate.server.testing.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a client sees when the provider fails: the provider's own errors pass through untouched (status,
 * body, rate-limit headers), and failures to reach it become the gateway's 502 or 504 in the shape of
 * the SDK that called (OpenAI or Anthropic), never a hang.
 */
class UpstreamFailureIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  static WireMockServer upstream;
  static TestGateway gateway;
  static String key;
  static int refusedPort;
  static ServerSocket blackHole;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    upstream = new WireMockServer(options().dynamicPort());
    upstream.start();
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      refusedPort = probe.getLocalPort(); // nothing listens here once the probe is closed
    }
    // listen(1) and never accept: once its accept queue is full, the kernel drops further SYNs
    blackHole = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    String apiKey = "    apiKey: ${OPENAI_API_KEY}\n";
    gateway = TestGateway.start("providers:\n"
        + "  openai:\n    baseUrl: " + upstream.baseUrl() + "\n"
        + "  anthropic:\n    baseUrl: " + upstream.baseUrl() + "\n"
        + "  slow:\n    baseUrl: " + upstream.baseUrl() + "\n    auth: bearer\n" + apiKey
        + "    dialect: openai\n    responseTimeoutMillis: 300\n"
        + "  refused:\n    baseUrl: http://127.0.0.1:" + refusedPort + "\n    auth: bearer\n" + apiKey
        + "    dialect: openai\n"
        + "  refusedanthropic:\n    baseUrl: http://127.0.0.1:" + refusedPort + "\n    auth: x-api-key\n" + apiKey
        + "    dialect: anthropic\n"
        + "  blackhole:\n    baseUrl: http://127.0.0.1:" + blackHole.getLocalPort() + "\n    auth: bearer\n" + apiKey
        + "    dialect: openai\n    connectTimeoutMillis: 300\n");
    key = gateway.createTenantWithKey("acme");
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    upstream.stop();
    blackHole.close();
  }

  @BeforeEach
  void resetUpstream() {
    upstream.resetAll();
  }

  @AfterEach
  void streamsAndRequestsAreAllEnded() throws Exception {
    GatewayMeters.assertNothingInFlight(gateway);
  }

  @Test
  void passesAProviderServerErrorThroughUnchanged() throws Exception {
    String body = "{\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}";
    upstream.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(500)
        .withHeader("content-type", "application/json").withHeader("x-provider-trace", "abc").withBody(body)));

    HttpResponse<String> response = send("/v1/chat/completions", chat("fail-500"));

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).isEqualTo(body);
    assertThat(response.headers().firstValue("x-provider-trace")).hasValue("abc");
    assertThat(response.headers().firstValue("x-request-id")).isPresent();
  }

  @Test
  void passesAProviderRateLimitThroughWithItsRetryHeaders() throws Exception {
    String body = "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}";
    upstream.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(429)
        .withHeader("content-type", "application/json").withHeader("retry-after", "7")
        .withHeader("x-ratelimit-remaining-requests", "0").withHeader("x-ratelimit-reset-requests", "6.5s")
        .withBody(body)));

    HttpResponse<String> response = send("/v1/chat/completions", chat("fail-429"));

    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.body()).isEqualTo(body);
    assertThat(response.headers().firstValue("retry-after")).hasValue("7");
    assertThat(response.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
    assertThat(response.headers().firstValue("x-ratelimit-reset-requests")).hasValue("6.5s");
  }

  @Test
  void passesAnAnthropicOverloadedErrorThroughUnchanged() throws Exception {
    String body = "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}";
    upstream.stubFor(post("/v1/messages").willReturn(aResponse().withStatus(529)
        .withHeader("content-type", "application/json").withHeader("retry-after", "3").withBody(body)));

    HttpResponse<String> response = send("/v1/messages", "{\"model\":\"claude-x\",\"max_tokens\":8,\"messages\":[]}");

    assertThat(response.statusCode()).isEqualTo(529);
    assertThat(response.body()).isEqualTo(body);
    assertThat(response.headers().firstValue("retry-after")).hasValue("3");
  }

  @Test
  void answersARefusedConnectionWithAnOpenAiShaped502() throws Exception {
    HttpResponse<String> response = send("/refused/v1/chat/completions", chat("refused"));

    assertThat(response.statusCode()).isEqualTo(502);
    JsonNode error = JSON.readTree(response.body()).get("error");
    assertThat(error.get("type").asText()).isEqualTo("server_error");
    assertThat(error.get("code").asText()).isEqualTo("upstream_unavailable");
    assertThat(response.headers().firstValue("x-request-id")).isPresent();
  }

  @Test
  void answersARefusedConnectionWithAnAnthropicShaped502() throws Exception {
    HttpResponse<String> response = send("/refusedanthropic/v1/messages",
        "{\"model\":\"claude-x\",\"max_tokens\":8,\"messages\":[]}");

    assertThat(response.statusCode()).isEqualTo(502);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("type").asText()).isEqualTo("error");
    assertThat(body.get("error").get("type").asText()).isEqualTo("api_error");
    assertThat(body.get("request_id").asText()).isEqualTo(response.headers().firstValue("x-request-id").orElseThrow());
  }

  @Test
  void answers504WhenTheProviderSendsNoHeadersWithinTheResponseTimeout() throws Exception {
    upstream.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json").withBody("{}").withFixedDelay(2000)));

    HttpResponse<String> response = send("/slow/v1/chat/completions", chat("slow"));

    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(JSON.readTree(response.body()).get("error").get("code").asText()).isEqualTo("upstream_timeout");
    assertThat(response.headers().firstValue("x-request-id")).isPresent();
  }

  @Test
  void answers504WhenTheProviderDoesNotAcceptTheConnectionInTime() throws Exception {
    List<Socket> queued = fillAcceptQueue();
    try {
      HttpResponse<String> response = send("/blackhole/v1/chat/completions", chat("blackhole"));

      assertThat(response.statusCode()).isEqualTo(504);
      assertThat(JSON.readTree(response.body()).get("error").get("code").asText()).isEqualTo("upstream_timeout");
    } finally {
      for (Socket socket : queued) {
        socket.close();
      }
    }
  }

  @Test
  void answers502WhenTheProviderResetsTheConnectionBeforeAnswering() throws Exception {
    upstream.stubFor(post("/v1/chat/completions").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

    HttpResponse<String> response = send("/v1/chat/completions", chat("reset"));

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(JSON.readTree(response.body()).get("error").get("code").asText()).isEqualTo("upstream_unavailable");
  }

  @Test
  void cutsTheClientResponseWhenTheProviderSendsAMalformedChunkAndKeepsServing() throws Exception {
    upstream.stubFor(post("/v1/chat/completions").willReturn(aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK)));

    HttpResponse<InputStream> response = http.send(request("/v1/chat/completions", chat("malformed")),
        HttpResponse.BodyHandlers.ofInputStream());
    Throwable failure = catchThrowable(() -> response.body().readAllBytes());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(failure).as("a broken body must not reach the client as a complete one").isInstanceOf(IOException.class);

    upstream.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json").withBody("{\"id\":\"after\"}")));
    HttpResponse<String> next = send("/v1/chat/completions", chat("after-malformed"));
    assertThat(next.statusCode()).isEqualTo(200);
    assertThat(next.body()).isEqualTo("{\"id\":\"after\"}");
  }

  /** Connects to the black hole until a connect times out; skips the test if the kernel never drops SYNs. */
  private static List<Socket> fillAcceptQueue() throws IOException {
    List<Socket> queued = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Socket socket = new Socket();
      try {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), blackHole.getLocalPort()), 200);
        queued.add(socket);
      } catch (SocketTimeoutException e) {
        socket.close();
        return queued;
      }
    }
    for (Socket socket : queued) {
      socket.close();
    }
    Assumptions.abort("this kernel completes loopback connects beyond the listen backlog");
    return queued;
  }

  private static String chat(String model) {
    return "{\"model\":\"" + model + "\",\"messages\":[]}";
  }

  private HttpRequest request(String path, String body) {
    return HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .header("anthropic-version", "2023-06-01").timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  private HttpResponse<String> send(String path, String body) throws Exception {
    return http.send(request(path, body), HttpResponse.BodyHandlers.ofString());
  }
}
