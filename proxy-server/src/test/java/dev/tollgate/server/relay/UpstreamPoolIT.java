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
 * Keep-alive connections to the provider: sequential requests share one, and a provider that closes
 * an idle pooled connection costs the client nothing (no 502 from a stale connection).
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
    int connectionsBefore = upstream.connections();

    for (int i = 0; i < 4; i++) {
      HttpResponse<String> response = chat();
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(BODY);
    }

    assertThat(upstream.connections() - connectionsBefore).isEqualTo(1);
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
