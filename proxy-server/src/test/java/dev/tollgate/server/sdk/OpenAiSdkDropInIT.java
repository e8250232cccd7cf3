package dev.tollgate.server.sdk;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.tollgate.server.testing.TestGateway;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The official openai-java SDK, pointed at the gateway, works unchanged against a WireMock provider. */
class OpenAiSdkDropInIT {

  private static final String COMPLETION = """
      {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini",
       "choices":[{"index":0,"finish_reason":"stop","logprobs":null,
                   "message":{"role":"assistant","content":"Hello from upstream","refusal":null}}],
       "usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}
      """;

  static WireMockServer upstream;
  static TestGateway gateway;
  static String key;

  @BeforeAll
  static void start() throws Exception {
    upstream = new WireMockServer(options().dynamicPort());
    upstream.start();
    gateway = TestGateway.start("providers:\n  openai:\n    baseUrl: " + upstream.baseUrl() + "\n");
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

  @Test
  void nonStreamingCreateReturnsTheUpstreamContent() {
    upstream.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json").withBody(COMPLETION)));

    ChatCompletion completion = client(key).chat().completions().create(params().build());

    assertThat(completion.choices().get(0).message().content()).contains("Hello from upstream");
    assertThat(completion.usage().map(u -> u.totalTokens())).contains(10L);
    upstream.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
        .withHeader("Authorization", equalTo("Bearer " + TestGateway.OPENAI_KEY))
        .withRequestBody(matchingJsonPath("$.model", equalTo("gpt-4o-mini"))));
  }

  @Test
  void streamingCreateYieldsEveryDeltaInOrderAndTheUsageChunk() {
    upstream.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "text/event-stream").withBody(sse("Hel", "lo", ", ", "wor", "ld"))));
    ChatCompletionCreateParams params = params()
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();

    List<ChatCompletionChunk> chunks;
    try (StreamResponse<ChatCompletionChunk> stream = client(key).chat().completions().createStreaming(params)) {
      chunks = stream.stream().toList();
    }

    List<String> deltas = chunks.stream().filter(c -> !c.choices().isEmpty())
        .map(c -> c.choices().get(0).delta().content()).flatMap(Optional::stream).toList();
    assertThat(deltas).containsExactly("Hel", "lo", ", ", "wor", "ld");
    assertThat(chunks.get(chunks.size() - 1).usage().map(u -> u.completionTokens())).contains(5L);
    upstream.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
        .withRequestBody(matchingJsonPath("$.stream", equalTo("true"))));
  }

  @Test
  void unknownKeyFailsWithTheSdkAuthenticationErrorAndNeverReachesTheProvider() {
    assertThatThrownBy(() -> client("tg_not-a-real-key-000000000000").chat().completions().create(params().build()))
        .isInstanceOf(UnauthorizedException.class);
    upstream.verify(0, anyRequestedFor(anyUrl()));
  }

  private static ChatCompletionCreateParams.Builder params() {
    return ChatCompletionCreateParams.builder().model("gpt-4o-mini").addUserMessage("Say hello");
  }

  private static OpenAIClient client(String apiKey) {
    return OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl() + "/v1").apiKey(apiKey)
        .maxRetries(0).timeout(Duration.ofSeconds(10)).build();
  }

  /** An OpenAI chat stream: one chunk per delta, a final usage-only chunk, then [DONE]. */
  private static String sse(String... deltas) {
    StringBuilder out = new StringBuilder();
    for (String delta : deltas) {
      out.append("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,")
          .append("\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"")
          .append(delta).append("\"},\"finish_reason\":null}]}\n\n");
    }
    out.append("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,")
        .append("\"model\":\"gpt-4o-mini\",\"choices\":[],")
        .append("\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":5,\"total_tokens\":12}}\n\n");
    out.append("data: [DONE]\n\n");
    return out.toString();
  }
}
