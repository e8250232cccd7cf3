package dev.tollgate.bench.mock;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pre-rendered response bodies of the mock, one set per (model, chunk count), cached so that a request
 * costs a map lookup rather than JSON rendering. Thread-safe; read by every event loop of the mock.
 */
final class MockResponses {

  static final int PROMPT_TOKENS = 12;
  static final byte[] DONE = ascii("data: [DONE]\n\n");
  private static final int MAX_CACHED = 256;
  private static final Map<String, MockResponses> CACHE = new ConcurrentHashMap<>();

  final byte[] chatJson;
  final byte[] chatChunk;
  final byte[] chatChunkWithNullUsage;
  final byte[] chatUsageChunk;
  final byte[] anthropicJson;
  final byte[] anthropicHead;
  final byte[] anthropicDelta;
  final byte[] anthropicTail;

  private MockResponses(String model, int chunks) {
    int total = PROMPT_TOKENS + chunks;
    String content = "tok".repeat(chunks);
    chatJson = ascii("{\"id\":\"chatcmpl-mock\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\""
        + model + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + content
        + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":" + PROMPT_TOKENS
        + ",\"completion_tokens\":" + chunks + ",\"total_tokens\":" + total + "}}");
    String chunkHead = "data: {\"id\":\"chatcmpl-mock\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
        + "\"model\":\"" + model + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok\"},\"finish_reason\":null}]";
    chatChunk = ascii(chunkHead + "}\n\n");
    chatChunkWithNullUsage = ascii(chunkHead + ",\"usage\":null}\n\n");
    chatUsageChunk = ascii("data: {\"id\":\"chatcmpl-mock\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
        + "\"model\":\"" + model + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":" + PROMPT_TOKENS
        + ",\"completion_tokens\":" + chunks + ",\"total_tokens\":" + total + "}}\n\n");
    String anthropicUsage = "{\"input_tokens\":" + PROMPT_TOKENS
        + ",\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":";
    anthropicJson = ascii("{\"id\":\"msg_mock\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + model
        + "\",\"content\":[{\"type\":\"text\",\"text\":\"" + content + "\"}],\"stop_reason\":\"end_turn\","
        + "\"stop_sequence\":null,\"usage\":" + anthropicUsage + chunks + "}}");
    anthropicHead = ascii("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_mock\","
        + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + model + "\",\"content\":[],\"stop_reason\":null,"
        + "\"stop_sequence\":null,\"usage\":" + anthropicUsage + "1}}}\n\n"
        + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
        + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
    anthropicDelta = ascii("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
        + "\"delta\":{\"type\":\"text_delta\",\"text\":\"tok\"}}\n\n");
    anthropicTail = ascii("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
        + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
        + "\"stop_sequence\":null},\"usage\":" + anthropicUsage + chunks + "}}\n\n"
        + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
  }

  /** Returns the bodies for this model and chunk count, from the cache while it is small. */
  static MockResponses of(String model, int chunks) {
    String key = chunks + "/" + model;
    MockResponses cached = CACHE.get(key);
    if (cached != null) {
      return cached;
    }
    MockResponses rendered = new MockResponses(model, chunks);
    if (CACHE.size() < MAX_CACHED) {
      CACHE.putIfAbsent(key, rendered);
    }
    return rendered;
  }

  /**
   * The SSE comment that leads a stamped stream: {@code : t=<nanos>} and a blank line, where nanos is the
   * mock's {@link System#nanoTime} when the first event was written. Rendered per stream, never cached.
   */
  static byte[] stampComment(long nanos) {
    return ascii(": t=" + nanos + "\n\n");
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
