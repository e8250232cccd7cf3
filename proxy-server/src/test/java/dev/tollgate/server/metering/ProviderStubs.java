package dev.tollgate.server.metering;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.http.HttpRequest;

/**
 * The provider answers of the metering tests, one per kind of call a tenant is billed for, each with a
 * fixed model, route and token usage, so that a test knows what the ledger must hold for every call sent.
 */
enum ProviderStubs {
  CHAT_JSON("chat.completions", "gpt-4o-mini", 12, 4),
  CHAT_SSE("chat.completions", "gpt-4o", 9, 2),
  /** A model name with a comma and a double quote: CSV must quote it. */
  CHAT_ODD_MODEL("chat.completions", "weird,\"model\"", 5, 1),
  EMBEDDINGS("embeddings", "text-embedding-3-small", 6, 0),
  MESSAGES_JSON("messages", "claude-sonnet-4", 30, 12),
  MESSAGES_SSE("messages", "claude-3-5-sonnet", 25, 15);

  final String route;
  final String model;
  final long inputTokens;
  final long outputTokens;

  ProviderStubs(String route, String model, long inputTokens, long outputTokens) {
    this.route = route;
    this.model = model;
    this.inputTokens = inputTokens;
    this.outputTokens = outputTokens;
  }

  /** Stubs every kind on {@code upstream}. */
  static void install(WireMockServer upstream) {
    String oddModel = jsonString(CHAT_ODD_MODEL.model);
    upstream.stubFor(post("/v1/chat/completions").atPriority(5).willReturn(json(
        "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,"
        + "\"message\":{\"role\":\"assistant\",\"content\":\"hi\"}}],"
        + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":4,\"total_tokens\":16}}")));
    upstream.stubFor(post("/v1/chat/completions").atPriority(1)
        .withRequestBody(matchingJsonPath("$.model", equalTo(CHAT_ODD_MODEL.model))).willReturn(json(
        "{\"id\":\"c2\",\"object\":\"chat.completion\",\"model\":" + oddModel + ",\"choices\":[{\"index\":0,"
        + "\"message\":{\"role\":\"assistant\",\"content\":\"odd\"}}],"
        + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,\"total_tokens\":6}}")));
    upstream.stubFor(post("/v1/chat/completions").atPriority(1)
        .withRequestBody(matchingJsonPath("$.stream", equalTo("true"))).willReturn(sse(
        "data: {\"id\":\"c3\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\","
        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"}}],\"usage\":null}\n\n"
        + "data: {\"id\":\"c3\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\","
        + "\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11}}\n\n"
        + "data: [DONE]\n\n")));
    upstream.stubFor(post("/v1/embeddings").willReturn(json(
        "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1,-0.2]}],"
        + "\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":6,\"total_tokens\":6}}")));
    upstream.stubFor(post("/v1/messages").atPriority(5).willReturn(json(
        "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4\","
        + "\"content\":[{\"type\":\"text\",\"text\":\"hi\"}],\"stop_reason\":\"end_turn\","
        + "\"usage\":{\"input_tokens\":30,\"output_tokens\":12}}")));
    upstream.stubFor(post("/v1/messages").atPriority(1)
        .withRequestBody(matchingJsonPath("$.stream", equalTo("true"))).willReturn(sse(
        "event: message_start\n"
        + "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"type\":\"message\",\"role\":\"assistant\","
        + "\"model\":\"claude-3-5-sonnet\",\"content\":[],\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n"
        + "event: content_block_delta\n"
        + "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n"
        + "event: message_delta\n"
        + "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":15}}\n\n"
        + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")));
  }

  /** The client's request of this kind, authenticated with {@code key}. */
  HttpRequest request(String baseUrl, String key) {
    return switch (this) {
      case CHAT_JSON -> LedgerGateway.openai(baseUrl, "/v1/chat/completions", key,
          "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
      case CHAT_SSE -> LedgerGateway.openai(baseUrl, "/v1/chat/completions", key,
          "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
      case CHAT_ODD_MODEL -> LedgerGateway.openai(baseUrl, "/v1/chat/completions", key,
          "{\"model\":" + jsonString(model) + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
      case EMBEDDINGS -> LedgerGateway.openai(baseUrl, "/v1/embeddings", key,
          "{\"model\":\"text-embedding-3-small\",\"input\":\"hello\"}");
      case MESSAGES_JSON -> LedgerGateway.anthropic(baseUrl, key,
          "{\"model\":\"claude-sonnet-4\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
      case MESSAGES_SSE -> LedgerGateway.anthropic(baseUrl, key,
          "{\"model\":\"claude-3-5-sonnet\",\"max_tokens\":64,\"stream\":true,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    };
  }

  private static String jsonString(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(String body) {
    return aResponse().withStatus(200).withHeader("content-type", "application/json").withBody(body);
  }

  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder sse(String body) {
    return aResponse().withStatus(200).withHeader("content-type", "text/event-stream").withBody(body);
  }
}
