package dev.tollgate.server.sdk;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.server.testing.TestGateway;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The official anthropic-java SDK works unchanged against the gateway, both at the root (bare
 * {@code /v1/messages}) and under {@code /anthropic}, with a WireMock provider behind it.
 */
class AnthropicSdkDropInIT {

  private static final String MESSAGE = """
      {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5",
       "content":[{"type":"text","text":"Hello from upstream"}],
       "stop_reason":"end_turn","stop_sequence":null,
       "usage":{"input_tokens":9,"output_tokens":4}}
      """;

  static WireMockServer upstream;
  static TestGateway gateway;
  static String key;

  @BeforeAll
  static void start() throws Exception {
    upstream = new WireMockServer(options().dynamicPort());
    upstream.start();
    gateway = TestGateway.start("providers:\n  anthropic:\n    baseUrl: " + upstream.baseUrl() + "\n");
    key = gateway.createTenantWithKey("acme");
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    upstream.stop();
  }

  @BeforeEach
  void reset() {
    upstream.resetAll();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "/anthropic"})
  void nonStreamingCreateReturnsTheUpstreamMessageWithTheProviderKey(String basePath) {
    upstream.stubFor(post("/v1/messages").willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json").withBody(MESSAGE)));

    Message message = client(basePath, key).messages().create(params());

    assertThat(message.content()).hasSize(1);
    assertThat(message.content().get(0).text().map(t -> t.text())).contains("Hello from upstream");
    assertThat(message.usage().outputTokens()).isEqualTo(4);
    upstream.verify(postRequestedFor(urlEqualTo("/v1/messages"))
        .withHeader("x-api-key", equalTo(TestGateway.ANTHROPIC_KEY))
        .withHeader("anthropic-version", matching("\\d{4}-\\d{2}-\\d{2}"))
        .withoutHeader("Authorization")
        .withRequestBody(matchingJsonPath("$.model", equalTo("claude-sonnet-4-5"))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "/anthropic"})
  void streamingCreateYieldsEveryEventAndDeltaInOrder(String basePath) {
    upstream.stubFor(post("/v1/messages").willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "text/event-stream").withBody(sse("Hel", "lo", ", ", "wor", "ld"))));

    List<RawMessageStreamEvent> events;
    try (StreamResponse<RawMessageStreamEvent> stream = client(basePath, key).messages().createStreaming(params())) {
      events = stream.stream().toList();
    }

    List<String> deltas = events.stream().flatMap(e -> e.contentBlockDelta().stream())
        .map(d -> d.delta().text()).flatMap(Optional::stream).map(t -> t.text()).toList();
    assertThat(deltas).containsExactly("Hel", "lo", ", ", "wor", "ld");
    assertThat(events.get(0).isMessageStart()).isTrue();
    assertThat(events.get(1).isContentBlockStart()).isTrue();
    assertThat(events.get(events.size() - 3).isContentBlockStop()).isTrue();
    assertThat(events.get(events.size() - 2).messageDelta().map(d -> d.usage().outputTokens())).contains(5L);
    assertThat(events.get(events.size() - 1).isMessageStop()).isTrue();
    upstream.verify(postRequestedFor(urlEqualTo("/v1/messages"))
        .withHeader("x-api-key", equalTo(TestGateway.ANTHROPIC_KEY))
        .withHeader("anthropic-version", matching("\\d{4}-\\d{2}-\\d{2}"))
        .withRequestBody(matchingJsonPath("$.stream", equalTo("true"))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "/anthropic"})
  void unknownKeyFailsWithTheSdkAuthenticationErrorAndNeverReachesTheProvider(String basePath) {
    assertThatThrownBy(() -> client(basePath, "tg_not-a-real-key-000000000000").messages().create(params()))
        .isInstanceOf(UnauthorizedException.class);
    upstream.verify(0, anyRequestedFor(anyUrl()));
  }

  private static MessageCreateParams params() {
    return MessageCreateParams.builder().model("claude-sonnet-4-5").maxTokens(64).addUserMessage("Say hello").build();
  }

  private static AnthropicClient client(String basePath, String apiKey) {
    return AnthropicOkHttpClient.builder().baseUrl(gateway.baseUrl() + basePath).apiKey(apiKey)
        .maxRetries(0).timeout(Duration.ofSeconds(10)).build();
  }

  /** An Anthropic message stream with one content_block_delta per text piece. */
  private static String sse(String... deltas) {
    StringBuilder out = new StringBuilder();
    event(out, "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
        + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,"
        + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}");
    event(out, "content_block_start",
        "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
    for (String delta : deltas) {
      event(out, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
          + "\"delta\":{\"type\":\"text_delta\",\"text\":\"" + delta + "\"}}");
    }
    event(out, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
    event(out, "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
        + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":5}}");
    event(out, "message_stop", "{\"type\":\"message_stop\"}");
    return out.toString();
  }

  private static void event(StringBuilder out, String name, String data) {
    out.append("event: ").append(name).append('\n').append("data: ").append(data).append("\n\n");
  }
}
