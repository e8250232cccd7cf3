package dev.tollgate.server.relay;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.tollgate.server.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which headers cross the gateway: the client's Tollgate key never reaches a provider, the provider's
 * key always does in that provider's style, end-to-end headers and the query string pass unchanged,
 * hop-by-hop headers stop at the gateway in both directions, and every response carries
 * {@code x-request-id}. A rejected request sends nothing upstream.
 */
class HeaderRulesIT {

  static WireMockServer upstream;
  static ScriptedUpstream rawUpstream;
  static TestGateway gateway;
  static String key;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    upstream = new WireMockServer(options().dynamicPort());
    upstream.start();
    rawUpstream = new ScriptedUpstream();
    gateway = TestGateway.start("providers:\n"
        + "  openai:\n    baseUrl: " + upstream.baseUrl() + "\n"
        + "  anthropic:\n    baseUrl: " + upstream.baseUrl() + "\n"
        + "  based:\n    baseUrl: " + upstream.baseUrl() + "/openai-compat\n    auth: bearer\n"
        + "    apiKey: ${OPENAI_API_KEY}\n    dialect: openai\n"
        + "  raw:\n    baseUrl: " + rawUpstream.baseUrl() + "\n    auth: bearer\n"
        + "    apiKey: ${OPENAI_API_KEY}\n    dialect: openai\n");
    key = gateway.createTenantWithKey("acme");
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    upstream.stop();
    rawUpstream.close();
  }

  @BeforeEach
  void resetUpstream() {
    upstream.resetAll();
    upstream.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json").withBody("{\"ok\":true}")));
    upstream.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json").withBody("{\"data\":[]}")));
  }

  @AfterEach
  void streamsAndRequestsAreAllEnded() throws Exception {
    GatewayMeters.assertNothingInFlight(gateway);
  }

  @Test
  void sendsTheOpenAiKeyAsBearerAndNeverTheClientsKey() throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .header("OpenAI-Beta", "assistants=v2").header("Idempotency-Key", "idem-1")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"messages\":[]}")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    upstream.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
        .withHeader("Authorization", equalTo("Bearer " + TestGateway.OPENAI_KEY))
        .withHeader("OpenAI-Beta", equalTo("assistants=v2"))
        .withHeader("Idempotency-Key", equalTo("idem-1")));
    assertClientKeyNeverReachedUpstream();
  }

  @Test
  void sendsTheAnthropicKeyAsXApiKeyWithTheClientsAnthropicVersion() throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/messages"))
        .header("x-api-key", key).header("anthropic-version", "2023-06-01")
        .header("anthropic-beta", "prompt-caching-2024-07-31").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude\",\"max_tokens\":8,\"messages\":[]}")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    upstream.verify(postRequestedFor(urlEqualTo("/v1/messages"))
        .withHeader("x-api-key", equalTo(TestGateway.ANTHROPIC_KEY))
        .withHeader("anthropic-version", equalTo("2023-06-01"))
        .withHeader("anthropic-beta", equalTo("prompt-caching-2024-07-31"))
        .withHeader("Authorization", absent()));
    assertClientKeyNeverReachedUpstream();
  }

  @Test
  void dropsAClientBearerTokenOnTheWayToAnthropic() throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/messages"))
        .header("Authorization", "Bearer " + key).header("anthropic-version", "2023-06-01")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude\",\"max_tokens\":8,\"messages\":[]}")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    upstream.verify(postRequestedFor(urlEqualTo("/v1/messages"))
        .withHeader("x-api-key", equalTo(TestGateway.ANTHROPIC_KEY))
        .withHeader("Authorization", absent()));
    assertClientKeyNeverReachedUpstream();
  }

  @Test
  void keepsHopByHopRequestHeadersAtTheGateway() throws Exception {
    String body = "{\"model\":\"m\",\"messages\":[]}";
    RawResponse response = rawExchange("POST /v1/chat/completions HTTP/1.1\r\n"
        + "Host: gateway.example\r\n"
        + "Authorization: Bearer " + key + "\r\n"
        + "Content-Type: application/json\r\n"
        + "Connection: keep-alive, x-hop-secret\r\n"
        + "x-hop-secret: listed-in-connection\r\n"
        + "Keep-Alive: timeout=5\r\n"
        + "TE: trailers\r\n"
        + "Proxy-Authorization: Basic cHJveHk6c2VjcmV0\r\n"
        + "x-end-to-end: kept\r\n"
        + "Content-Length: " + body.length() + "\r\n\r\n" + body);

    assertThat(response.status()).isEqualTo(200);
    ServeEvent event = onlyServeEvent();
    Set<String> names = new HashSet<>();
    for (HttpHeader header : event.getRequest().getHeaders().all()) {
      names.add(header.key().toLowerCase(Locale.ROOT));
    }
    assertThat(names).doesNotContain("x-hop-secret", "keep-alive", "te", "proxy-authorization")
        .contains("x-end-to-end");
    assertThat(event.getRequest().getHeader("Host")).isEqualTo(URI.create(upstream.baseUrl()).getAuthority());
  }

  @Test
  void keepsHopByHopResponseHeadersAtTheGateway() throws Exception {
    rawUpstream.script(exchange -> exchange.writeRaw("HTTP/1.1 200 OK\r\n"
        + "content-type: application/json\r\n"
        + "content-length: 11\r\n"
        + "Connection: x-upstream-hop\r\n"
        + "x-upstream-hop: secret\r\n"
        + "Keep-Alive: timeout=5\r\n"
        + "Proxy-Authenticate: Basic\r\n"
        + "x-provider-end-to-end: kept\r\n\r\n"
        + "{\"ok\":true}"));

    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/raw/v1/chat/completions"))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"messages\":[]}")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{\"ok\":true}");
    assertThat(response.headers().map().keySet()).doesNotContain("x-upstream-hop", "keep-alive", "proxy-authenticate");
    assertThat(response.headers().firstValue("x-provider-end-to-end")).hasValue("kept");
  }

  @Test
  void answersExpectContinueAndRelaysTheRequest() throws Exception {
    HttpClient expecting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "a".repeat(2000) + "\"}]}";

    HttpResponse<String> response = expecting.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .expectContinue(true).timeout(Duration.ofSeconds(5))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{\"ok\":true}");
    assertThat(response.headers().firstValue("x-request-id")).isPresent();
    upstream.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
        .withRequestBody(equalTo(body)).withHeader("Expect", absent()));
  }

  @Test
  void rejectsAnExpectContinueRequestWithABadKeyWithAnErrorResponse() throws Exception {
    HttpClient expecting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    HttpResponse<String> response = expecting.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + key + "x").header("Content-Type", "application/json")
        .expectContinue(true).timeout(Duration.ofSeconds(5))
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"messages\":[]}")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("x-request-id")).isPresent();
    upstream.verify(0, anyRequestedFor(anyUrl()));
  }

  @Test
  void forwardsAChunkedClientBodyWithALengthAndAsksTheProviderForAPlainBody() throws Exception {
    String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"h\u00e9llo \u4e16\u754c\"}]}";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);

    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .header("Accept-Encoding", "gzip, br")
        // an InputStream publisher has no known length: the JDK client sends the body chunked
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(bytes))).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    upstream.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
        .withRequestBody(equalTo(body))
        .withHeader("Content-Length", equalTo(Integer.toString(bytes.length)))
        .withHeader("Transfer-Encoding", absent())
        .withHeader("Accept-Encoding", equalTo("identity")));
  }

  @Test
  void answersPipelinedRequestsInOrder() throws Exception {
    upstream.stubFor(get("/v1/models?n=1").willReturn(aResponse().withStatus(200).withBody("first")));
    upstream.stubFor(get("/v1/models?n=2").willReturn(aResponse().withStatus(200).withFixedDelay(50).withBody("second")));
    String head = " HTTP/1.1\r\nHost: gateway.example\r\nAuthorization: Bearer " + key + "\r\n\r\n";

    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), URI.create(gateway.baseUrl()).getPort())) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(("GET /v1/models?n=2" + head + "GET /v1/models?n=1" + head)
          .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      RawResponse first = readResponse(in);
      RawResponse second = readResponse(in);

      assertThat(first.status()).isEqualTo(200);
      assertThat(first.body()).isEqualTo("second");
      assertThat(second.status()).isEqualTo(200);
      assertThat(second.body()).isEqualTo("first");
    }
  }

  @Test
  void preservesTheQueryStringAndTheProvidersBasePath() throws Exception {
    HttpResponse<String> bare = fetch("/v1/models?limit=2&after=a%2Fb&flag");
    HttpResponse<String> based = fetch("/based/v1/models?limit=3");

    assertThat(bare.statusCode()).isEqualTo(200);
    assertThat(based.statusCode()).isEqualTo(200);
    upstream.verify(getRequestedFor(urlEqualTo("/v1/models?limit=2&after=a%2Fb&flag")));
    upstream.verify(getRequestedFor(urlEqualTo("/openai-compat/v1/models?limit=3")));
  }

  @Test
  void stampsARequestIdOnProxiedAndRelayedErrorResponses() throws Exception {
    upstream.stubFor(post("/v1/embeddings").willReturn(aResponse().withStatus(404)
        .withHeader("content-type", "application/json").withBody("{\"error\":{\"message\":\"no such model\"}}")));

    HttpResponse<String> ok = fetch("/v1/models");
    HttpResponse<String> relayedError = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/embeddings"))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"nope\",\"input\":\"x\"}")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(relayedError.statusCode()).isEqualTo(404);
    String first = ok.headers().firstValue("x-request-id").orElseThrow();
    String second = relayedError.headers().firstValue("x-request-id").orElseThrow();
    assertThat(first).isNotBlank().isNotEqualTo(second);
  }

  @Test
  void rejectsAMissingKeyWithARequestIdAndSendsNothingUpstream() throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"messages\":[]}")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("x-request-id")).isPresent();
    upstream.verify(0, anyRequestedFor(anyUrl()));
  }

  @Test
  void rejectsAnUnknownKeyInTheAnthropicShapeAndSendsNothingUpstream() throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/messages"))
        .header("x-api-key", key + "x").header("anthropic-version", "2023-06-01")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude\",\"max_tokens\":8,\"messages\":[]}")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.body()).startsWith("{\"type\":\"error\"").contains("authentication_error");
    assertThat(response.headers().firstValue("x-request-id")).isPresent();
    upstream.verify(0, anyRequestedFor(anyUrl()));
  }

  private void assertClientKeyNeverReachedUpstream() {
    List<ServeEvent> events = upstream.getAllServeEvents();
    assertThat(events).isNotEmpty();
    for (ServeEvent event : events) {
      for (HttpHeader header : event.getRequest().getHeaders().all()) {
        assertThat(header.values()).as(header.key()).noneMatch(value -> value.contains(key));
      }
    }
  }

  private ServeEvent onlyServeEvent() {
    List<ServeEvent> events = upstream.getAllServeEvents();
    assertThat(events).hasSize(1);
    return events.get(0);
  }

  private HttpResponse<String> fetch(String pathAndQuery) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + pathAndQuery))
        .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Sends {@code request} on a raw socket (so restricted headers go as written) and reads one response. */
  private static RawResponse rawExchange(String request) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), URI.create(gateway.baseUrl()).getPort())) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.UTF_8));
      out.flush();
      return readResponse(socket.getInputStream());
    }
  }

  /** Reads one response, its body framed by {@code content-length} or chunked. */
  private static RawResponse readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed inside the response head: " + head);
      }
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String text = head.toString(StandardCharsets.US_ASCII);
    int length = 0;
    boolean chunked = false;
    for (String line : text.split("\r\n")) {
      String lower = line.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (!chunked) {
      body.write(in.readNBytes(length));
    } else {
      int size;
      while ((size = Integer.parseInt(readLine(in).trim(), 16)) > 0) {
        body.write(in.readNBytes(size));
        readLine(in);
      }
      readLine(in); // the blank line after the last chunk (no trailers)
    }
    return new RawResponse(Integer.parseInt(text.substring(9, 12)), text, body.toString(StandardCharsets.UTF_8));
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }

  private record RawResponse(int status, String head, String body) {
  }
}
