package dev.tollgate.server.relay;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.server.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every response shape a user meters by — OpenAI chat completions, Responses and embeddings, Anthropic
 * messages, each as JSON and as SSE — relayed unchanged to the client, with the provider's usage
 * counted under the right model, provider and token kind.
 */
class UsageRelayIT {

  static WireMockServer upstream;
  static TestGateway gateway;
  static String key;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    upstream = new WireMockServer(options().dynamicPort());
    upstream.start();
    gateway = TestGateway.start("providers:\n"
        + "  openai:\n    baseUrl: " + upstream.baseUrl() + "\n"
        + "  anthropic:\n    baseUrl: " + upstream.baseUrl() + "\n");
    key = gateway.createTenantWithKey("acme");
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    upstream.stop();
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
  void relaysAJsonChatCompletionAndMetersItsUsage() throws Exception {
    String body = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"chat-json\","
        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"}}],"
        + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15,"
        + "\"prompt_tokens_details\":{\"cached_tokens\":4},\"completion_tokens_details\":{\"reasoning_tokens\":2}}}";
    stub("/v1/chat/completions", "application/json", body);

    HttpResponse<String> response = openai("/v1/chat/completions", "{\"model\":\"chat-json\",\"messages\":[]}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(body);
    assertThat(GatewayMeters.awaitTokens(gateway, "openai", "chat-json", "input", 12)).isEqualTo(12);
    assertThat(GatewayMeters.tokens(gateway, "openai", "chat-json", "output")).isEqualTo(3);
    assertThat(GatewayMeters.tokens(gateway, "openai", "chat-json", "cached_input")).isEqualTo(4);
    assertThat(GatewayMeters.tokens(gateway, "openai", "chat-json", "reasoning")).isEqualTo(2);
  }

  @Test
  void asksForStreamUsageOnTheClientsBehalfAndHidesTheExtraChunk() throws Exception {
    String content = sse("{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"chat-injected\","
        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"}}],\"usage\":null}")
        + sse("{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"chat-injected\","
        + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}");
    String usageOnly = sse("{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"chat-injected\","
        + "\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11}}");
    String done = "data: [DONE]\n\n";
    upstream.stubFor(post("/v1/chat/completions")
        .withRequestBody(matchingJsonPath("$.stream_options.include_usage", equalTo("true")))
        .willReturn(aResponse().withStatus(200).withHeader("content-type", "text/event-stream")
            .withBody(content + usageOnly + done)));

    HttpResponse<String> response = openai("/v1/chat/completions",
        "{\"model\":\"chat-injected\",\"stream\":true,\"messages\":[]}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(content + done);
    upstream.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
        .withRequestBody(matchingJsonPath("$.stream_options.include_usage", equalTo("true")))
        .withRequestBody(matchingJsonPath("$.model", equalTo("chat-injected"))));
    assertThat(GatewayMeters.awaitTokens(gateway, "openai", "chat-injected", "input", 9)).isEqualTo(9);
    assertThat(GatewayMeters.tokens(gateway, "openai", "chat-injected", "output")).isEqualTo(2);
  }

  @Test
  void overridesAnExplicitIncludeUsageFalseButStillHidesTheUsageChunk() throws Exception {
    String content = sse("{\"id\":\"c3\",\"object\":\"chat.completion.chunk\",\"model\":\"chat-declined\","
        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Yo\"}}],\"usage\":null}");
    String usageOnly = sse("{\"id\":\"c3\",\"object\":\"chat.completion.chunk\",\"model\":\"chat-declined\","
        + "\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,\"total_tokens\":6}}");
    upstream.stubFor(post("/v1/chat/completions")
        .withRequestBody(matchingJsonPath("$.stream_options.include_usage", equalTo("true")))
        .willReturn(aResponse().withStatus(200).withHeader("content-type", "text/event-stream")
            .withBody(content + usageOnly + "data: [DONE]\n\n")));

    HttpResponse<String> response = openai("/v1/chat/completions",
        "{\"model\":\"chat-declined\",\"stream\":true,\"stream_options\":{\"include_usage\":false},\"messages\":[]}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(content + "data: [DONE]\n\n");
    assertThat(GatewayMeters.awaitTokens(gateway, "openai", "chat-declined", "input", 5)).isEqualTo(5);
  }

  @Test
  void passesTheStreamUsageChunkToAClientThatAskedForIt() throws Exception {
    String events = sse("{\"id\":\"c2\",\"object\":\"chat.completion.chunk\",\"model\":\"chat-asked\","
        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}")
        + sse("{\"id\":\"c2\",\"object\":\"chat.completion.chunk\",\"model\":\"chat-asked\","
        + "\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":1,\"total_tokens\":8}}")
        + "data: [DONE]\n\n";
    stub("/v1/chat/completions", "text/event-stream", events);

    HttpResponse<String> response = openai("/v1/chat/completions",
        "{\"model\":\"chat-asked\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[]}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(events);
    assertThat(GatewayMeters.awaitTokens(gateway, "openai", "chat-asked", "input", 7)).isEqualTo(7);
    assertThat(GatewayMeters.tokens(gateway, "openai", "chat-asked", "output")).isEqualTo(1);
  }

  @Test
  void metersAJsonResponsesApiAnswer() throws Exception {
    String body = "{\"id\":\"resp_1\",\"object\":\"response\",\"model\":\"resp-json\",\"output\":[],"
        + "\"usage\":{\"input_tokens\":20,\"input_tokens_details\":{\"cached_tokens\":5},"
        + "\"output_tokens\":8,\"output_tokens_details\":{\"reasoning_tokens\":3},\"total_tokens\":28}}";
    stub("/v1/responses", "application/json", body);

    HttpResponse<String> response = openai("/v1/responses", "{\"model\":\"resp-json\",\"input\":\"hi\"}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(body);
    assertThat(GatewayMeters.awaitTokens(gateway, "openai", "resp-json", "input", 20)).isEqualTo(20);
    assertThat(GatewayMeters.tokens(gateway, "openai", "resp-json", "output")).isEqualTo(8);
    assertThat(GatewayMeters.tokens(gateway, "openai", "resp-json", "cached_input")).isEqualTo(5);
    assertThat(GatewayMeters.tokens(gateway, "openai", "resp-json", "reasoning")).isEqualTo(3);
  }

  @Test
  void metersAStreamedResponsesApiAnswerFromItsCompletedEvent() throws Exception {
    String events = "event: response.created\n"
        + "data: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_2\",\"model\":\"resp-sse\",\"usage\":null}}\n\n"
        + "event: response.output_text.delta\n"
        + "data: {\"type\":\"response.output_text.delta\",\"delta\":\"the usage is fine\"}\n\n"
        + "event: response.completed\n"
        + "data: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_2\",\"model\":\"resp-sse\","
        + "\"usage\":{\"input_tokens\":14,\"output_tokens\":6,\"total_tokens\":20}}}\n\n";
    stub("/v1/responses", "text/event-stream", events);

    HttpResponse<String> response = openai("/v1/responses", "{\"model\":\"resp-sse\",\"input\":\"hi\",\"stream\":true}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(events);
    assertThat(GatewayMeters.awaitTokens(gateway, "openai", "resp-sse", "input", 14)).isEqualTo(14);
    assertThat(GatewayMeters.tokens(gateway, "openai", "resp-sse", "output")).isEqualTo(6);
  }

  @Test
  void metersEmbeddingsAsInputTokensOnly() throws Exception {
    String body = "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1,-0.2]}],"
        + "\"model\":\"embed-small\",\"usage\":{\"prompt_tokens\":6,\"total_tokens\":6}}";
    stub("/v1/embeddings", "application/json", body);

    HttpResponse<String> response = openai("/v1/embeddings", "{\"model\":\"embed-small\",\"input\":\"hello\"}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(body);
    assertThat(GatewayMeters.awaitTokens(gateway, "openai", "embed-small", "input", 6)).isEqualTo(6);
    assertThat(GatewayMeters.tokens(gateway, "openai", "embed-small", "output")).isZero();
  }

  @Test
  void metersAJsonAnthropicMessage() throws Exception {
    String body = "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-json\","
        + "\"content\":[{\"type\":\"text\",\"text\":\"hi\"}],\"stop_reason\":\"end_turn\","
        + "\"usage\":{\"input_tokens\":30,\"output_tokens\":12,\"cache_read_input_tokens\":10,"
        + "\"cache_creation_input_tokens\":2}}";
    stub("/v1/messages", "application/json", body);

    HttpResponse<String> response = anthropic("{\"model\":\"claude-json\",\"max_tokens\":64,\"messages\":[]}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(body);
    assertThat(GatewayMeters.awaitTokens(gateway, "anthropic", "claude-json", "input", 30)).isEqualTo(30);
    assertThat(GatewayMeters.tokens(gateway, "anthropic", "claude-json", "output")).isEqualTo(12);
    assertThat(GatewayMeters.tokens(gateway, "anthropic", "claude-json", "cached_input")).isEqualTo(10);
    assertThat(GatewayMeters.tokens(gateway, "anthropic", "claude-json", "cache_creation_input")).isEqualTo(2);
  }

  @Test
  void metersAStreamedAnthropicMessageFromMessageStartAndMessageDelta() throws Exception {
    String events = "event: message_start\n"
        + "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"type\":\"message\",\"role\":\"assistant\","
        + "\"model\":\"claude-sse\",\"content\":[],\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n"
        + "event: ping\ndata: {\"type\":\"ping\"}\n\n"
        + "event: content_block_start\n"
        + "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
        + "event: content_block_delta\n"
        + "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n"
        + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
        + "event: message_delta\n"
        + "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":15}}\n\n"
        + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    stub("/v1/messages", "text/event-stream", events);

    HttpResponse<String> response = anthropic("{\"model\":\"claude-sse\",\"max_tokens\":64,\"stream\":true,\"messages\":[]}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(events);
    assertThat(GatewayMeters.awaitTokens(gateway, "anthropic", "claude-sse", "input", 25)).isEqualTo(25);
    assertThat(GatewayMeters.awaitTokens(gateway, "anthropic", "claude-sse", "output", 15)).isEqualTo(15);
  }

  @Test
  void metersEachOfManyConcurrentStreamsExactlyOnce() throws Exception {
    String events = sse("{\"id\":\"p\",\"object\":\"chat.completion.chunk\",\"model\":\"chat-parallel\","
        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + "z".repeat(500) + "\"}}],\"usage\":null}")
        + sse("{\"id\":\"p\",\"object\":\"chat.completion.chunk\",\"model\":\"chat-parallel\","
        + "\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}")
        + "data: [DONE]\n\n";
    upstream.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "text/event-stream").withBody(events).withChunkedDribbleDelay(4, 200)));
    int clients = 24;

    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      responses.add(http.sendAsync(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
          .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"chat-parallel\",\"stream\":true,"
              + "\"stream_options\":{\"include_usage\":true},\"messages\":[]}")).build(),
          HttpResponse.BodyHandlers.ofString()));
    }

    for (CompletableFuture<HttpResponse<String>> future : responses) {
      HttpResponse<String> response = future.get(20, TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(events);
    }
    assertThat(GatewayMeters.awaitTokens(gateway, "openai", "chat-parallel", "input", 3 * clients)).isEqualTo(3 * clients);
    assertThat(GatewayMeters.tokens(gateway, "openai", "chat-parallel", "output")).isEqualTo(2 * clients);
  }

  private static String sse(String json) {
    return "data: " + json + "\n\n";
  }

  private static void stub(String path, String contentType, String body) {
    upstream.stubFor(post(path).willReturn(aResponse().withStatus(200).withHeader("content-type", contentType)
        .withBody(body)));
  }

  private HttpResponse<String> openai(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> anthropic(String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/messages"))
        .header("x-api-key", key).header("anthropic-version", "2023-06-01")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
