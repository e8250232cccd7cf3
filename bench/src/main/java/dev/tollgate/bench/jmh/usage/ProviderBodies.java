package dev.tollgate.bench.jmh.usage;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Realistic provider response bodies for the benchmarks, shaped like captured OpenAI and Anthropic
 * responses (ids, fingerprints, {@code "usage":null} on every OpenAI chunk, Anthropic's {@code ping}).
 * SSE bodies are lists of events, one per element, as providers flush them. Immutable.
 */
public final class ProviderBodies {

  public static final String OPENAI_MODEL = "gpt-4o-mini";
  public static final String ANTHROPIC_MODEL = "claude-sonnet-4-20250514";

  private ProviderBodies() {
  }

  /** A non-streamed {@code chat.completion} with usage (incl. token details), about 600 bytes. */
  public static byte[] openAiJson() {
    return ascii("{\"id\":\"chatcmpl-AXb7K2mQeZ1pL9vT4sR8wYcN3dHf\",\"object\":\"chat.completion\","
        + "\"created\":1732300000,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":"
        + "{\"role\":\"assistant\",\"content\":\"Hello! The usage object below counts tokens; the word usage in "
        + "content never matches a key. How can I help you today?\",\"refusal\":null},\"logprobs\":null,"
        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":19,\"completion_tokens\":27,"
        + "\"total_tokens\":46,\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
        + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
        + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}},\"service_tier\":\"default\","
        + "\"system_fingerprint\":\"fp_0ba0d124f1\"}");
  }

  /**
   * An OpenAI chat stream with {@code include_usage}: a role chunk, {@code contentEvents} content
   * chunks, a finish chunk, the usage chunk and {@code [DONE]}.
   */
  public static List<byte[]> openAiSse(int contentEvents) {
    String head = "data: {\"id\":\"chatcmpl-AXb7K2mQeZ1pL9vT4sR8wYcN3dHf\",\"object\":\"chat.completion.chunk\","
        + "\"created\":1732300000,\"model\":\"gpt-4o-mini-2024-07-18\",\"service_tier\":\"default\","
        + "\"system_fingerprint\":\"fp_0ba0d124f1\",\"choices\":[";
    List<byte[]> events = new ArrayList<>();
    events.add(ascii(head + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},"
        + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"));
    for (int i = 0; i < contentEvents; i++) {
      events.add(ascii(head + "{\"index\":0,\"delta\":{\"content\":\" word" + (i % 10) + "\"},"
          + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"));
    }
    events.add(ascii(head + "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
        + "\"usage\":null}\n\n"));
    events.add(ascii(head + "],\"usage\":{\"prompt_tokens\":19,\"completion_tokens\":" + contentEvents
        + ",\"total_tokens\":" + (19 + contentEvents) + ",\"prompt_tokens_details\":{\"cached_tokens\":0,"
        + "\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
        + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}\n\n"));
    events.add(ascii("data: [DONE]\n\n"));
    return events;
  }

  /** An Anthropic Messages stream: message_start … {@code contentEvents} deltas … message_delta, message_stop. */
  public static List<byte[]> anthropicSse(int contentEvents) {
    List<byte[]> events = new ArrayList<>();
    events.add(ascii("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":"
        + "\"msg_01XFDUDYJgAACzvnptvVoYEL\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\""
        + ANTHROPIC_MODEL + "\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":"
        + "{\"input_tokens\":25,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,"
        + "\"output_tokens\":1,\"service_tier\":\"standard\"}}}\n\n"));
    events.add(ascii("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
        + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"));
    events.add(ascii("event: ping\ndata: {\"type\": \"ping\"}\n\n"));
    for (int i = 0; i < contentEvents; i++) {
      events.add(ascii("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
          + "\"delta\":{\"type\":\"text_delta\",\"text\":\" word" + (i % 10) + "\"}}\n\n"));
    }
    events.add(ascii("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"));
    events.add(ascii("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
        + "\"end_turn\",\"stop_sequence\":null},\"usage\":{\"input_tokens\":25,\"cache_creation_input_tokens\":0,"
        + "\"cache_read_input_tokens\":0,\"output_tokens\":" + contentEvents + "}}\n\n"));
    events.add(ascii("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));
    return events;
  }

  /** All events of a stream as one body. */
  public static byte[] concat(List<byte[]> events) {
    int length = 0;
    for (byte[] e : events) {
      length += e.length;
    }
    byte[] out = new byte[length];
    int at = 0;
    for (byte[] e : events) {
      System.arraycopy(e, 0, out, at, e.length);
      at += e.length;
    }
    return out;
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
