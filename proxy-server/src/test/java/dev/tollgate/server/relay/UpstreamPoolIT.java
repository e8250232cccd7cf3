package dev.tollgate.server.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.server.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keep-alive connections to the provider: sequential requests share one, a provider that closes an
 * idle pooled connection costs the client nothing (no 502 from a stale connection), and a response the
 * gateway cannot read whole (a broken head, broken chunk framing) is never passed on as if it were, nor
 * its connection reused.
 */
class UpstreamPoolIT {

  private static final String BODY = "{\"id\":\"pooled\",\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}";

  static ScriptedUpstream upstream;
  static TestGateway gateway;
  static String key;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    upstream = new ScriptedUpstream();
    gateway = TestGateway.start("providers:\n  openai:\n    baseUrl: " + upstream.baseUrl() + "\n");
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
  void reusesOneProviderConnectionForSequentialRequests() throws Exception {
    upstream.script(exchange -> {
      exchange.writeRaw(jsonResponse());
      exchange.keepAlive();
    });
    assertThat(chat().statusCode()).isEqualTo(200); // on a pooled connection or a new one
    int connectionsAfterFirst = upstream.connections();

    for (int i = 0; i < 3; i++) {
      HttpResponse<String> response = chat();
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(BODY);
    }

    assertThat(upstream.connections()).as("the next three on the first one's connection").isEqualTo(connectionsAfterFirst);
  }

  @Test
  void survivesAProviderThatClosesEachConnectionAfterAnswering() throws Exception {
    upstream.script(exchange -> {
      exchange.writeRaw(jsonResponse()); // advertises keep-alive, then closes: the pooled connection goes stale
    });

    for (int i = 0; i < 6; i++) {
      HttpResponse<String> response = chat();
      assertThat(response.statusCode()).as("request %d", i).isEqualTo(200);
      assertThat(response.body()).isEqualTo(BODY);
    }
  }

  @Test
  void cutsAResponseWhoseChunkFramingIsBrokenAndNeverReusesItsConnection() throws Exception {
    upstream.script(exchange -> {
      // no CRLF after the first chunk's data: where this response ends is anyone's guess
      exchange.writeRaw("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
          + "5\r\n{\"id\":XX0\r\n\r\n");
      exchange.keepAlive();
    });
    int connectionsBefore = upstream.connections();

    Throwable cut = org.assertj.core.api.Assertions.catchThrowable(this::chat);

    assertThat(cut).as("the client sees the stream end without its terminating chunk").isInstanceOf(java.io.IOException.class);
    upstream.script(exchange -> {
      exchange.writeRaw(jsonResponse());
      exchange.keepAlive();
    });
    HttpResponse<String> next = chat();
    assertThat(next.statusCode()).isEqualTo(200);
    assertThat(next.body()).isEqualTo(BODY);
    assertThat(upstream.connections() - connectionsBefore).as("a new connection for the next request").isEqualTo(2);
  }

  @Test
  void answers502ForAResponseHeadTheGatewayCannotRead() throws Exception {
    upstream.script(exchange -> {
      exchange.writeRaw("HTTP/1.1 2x0 OK\r\ncontent-length: 2\r\n\r\n{}");
      exchange.keepAlive();
    });

    HttpResponse<String> response = chat();

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).contains("\"error\"");
  }

  private static String jsonResponse() {
    return "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: " + BODY.length() + "\r\n\r\n" + BODY;
  }

  private HttpResponse<String> chat() throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"pooled\",\"messages\":[]}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
