package dev.tollgate.bench.jmh.pipeline;

import dev.tollgate.bench.jmh.route.ChatBodies;
import dev.tollgate.bench.jmh.usage.ProviderBodies;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes one chat completion exchange moves: the client's request as it arrives at the gateway, and
 * the provider's response as the socket reads that bring it (a JSON answer in one read; a stream one
 * event per read). {@link PipelineBenchmark} and {@link HarnessFloorBenchmark} both move these, so
 * their times subtract. Built once; the benchmarks only read it.
 */
final class ChatCompletionBytes {

  /** The content events of the streamed response. */
  static final int SSE_EVENTS = 16;

  /** A non-streamed request. */
  final byte[] jsonRequest;
  /** A non-streamed request carrying a conversation of about 16 KiB, typed as people type (curly quotes). */
  final byte[] jsonConversationRequest;
  /** A streamed request with {@code stream_options.include_usage}. */
  final byte[] sseRequest;
  /** A streamed request without {@code stream_options} (the SDKs' default). */
  final byte[] sseRequestWithoutUsage;
  /** The JSON response, one read. */
  final List<byte[]> jsonResponseReads;
  /** The streamed response: the head, one chunk per event, the last chunk. */
  final List<byte[]> sseResponseReads;

  /** The requests carry {@code apiKey} as their bearer token. */
  ChatCompletionBytes(String apiKey) {
    String body = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},"
        + "{\"role\":\"user\",\"content\":\"Say hello in one sentence.\"}],\"max_tokens\":64";
    jsonRequest = request(apiKey, body + "}");
    jsonConversationRequest = request(apiKey,
        ChatBodies.conversation(16 * 1024, ChatBodies.Text.TYPOGRAPHIC, false));
    sseRequest = request(apiKey, body + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
    sseRequestWithoutUsage = request(apiKey, body + ",\"stream\":true}");
    byte[] json = ProviderBodies.openAiJson();
    byte[] jsonResponse = concat(ascii("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + json.length + "\r\nx-request-id: req_4f1c0e2b9a7d\r\n"
        + "openai-processing-ms: 231\r\nopenai-version: 2020-10-01\r\n\r\n"),
        json);
    List<byte[]> sse = new ArrayList<>();
    sse.add(ascii("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
        + "Transfer-Encoding: chunked\r\nx-request-id: req_4f1c0e2b9a7d\r\nopenai-processing-ms: 95\r\n"
        + "cache-control: no-cache\r\n\r\n"));
    for (byte[] event : ProviderBodies.openAiSse(SSE_EVENTS)) {
      sse.add(concat(ascii(Integer.toHexString(event.length) + "\r\n"), event, ascii("\r\n")));
    }
    sse.add(ascii("0\r\n\r\n"));
    sseResponseReads = sse;
    jsonResponseReads = List.of(jsonResponse);
  }

  private static byte[] request(String apiKey, String body) {
    return request(apiKey, ascii(body));
  }

  private static byte[] request(String apiKey, byte[] json) {
    return concat(ascii("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway.example\r\n"
        + "Authorization: Bearer " + apiKey + "\r\nContent-Type: application/json\r\n"
        + "User-Agent: OpenAI/Python 1.54.3\r\nAccept: application/json\r\nContent-Length: " + json.length
        + "\r\n\r\n"), json);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    return ProviderBodies.concat(List.of(parts));
  }
}
