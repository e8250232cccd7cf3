package dev.tollgate.core.usage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * Which provider's {@code usage} object a response carries, and so how its fields map onto
 * {@link TokenUsage} (PROTOCOLS.md §4–5). Chosen per route; read by {@link UsageScanner} on the
 * event loop.
 */
public enum UsageDialect {

  /** {@code POST /v1/chat/completions}, JSON or SSE (with {@code include_usage}). */
  OPENAI_CHAT {
    @Override
    void apply(JsonNode usage, UsageTally tally) {
      tally.setInput(usage.get("prompt_tokens"));
      tally.setOutput(usage.get("completion_tokens"));
      JsonNode prompt = usage.path("prompt_tokens_details");
      tally.setCachedInput(prompt.get("cached_tokens"));
      tally.setAudioInput(prompt.get("audio_tokens"));
      JsonNode completion = usage.path("completion_tokens_details");
      tally.setReasoning(completion.get("reasoning_tokens"));
      tally.setAudioOutput(completion.get("audio_tokens"));
    }
  },

  /** {@code POST /v1/responses}: the usage of the terminal {@code response.*} event. */
  OPENAI_RESPONSES {
    @Override
    void apply(JsonNode usage, UsageTally tally) {
      tally.setInput(usage.get("input_tokens"));
      tally.setOutput(usage.get("output_tokens"));
      tally.setCachedInput(usage.path("input_tokens_details").get("cached_tokens"));
      tally.setReasoning(usage.path("output_tokens_details").get("reasoning_tokens"));
    }
  },

  /** {@code POST /v1/embeddings}: only {@code prompt_tokens}. */
  OPENAI_EMBEDDINGS {
    @Override
    void apply(JsonNode usage, UsageTally tally) {
      tally.setInput(usage.get("prompt_tokens"));
    }
  },

  /**
   * {@code POST /v1/messages}: {@code message_start} brings the input side and a placeholder output,
   * {@code message_delta} a cumulative usage whose fields override it.
   */
  ANTHROPIC_MESSAGES {
    @Override
    void apply(JsonNode usage, UsageTally tally) {
      tally.setInput(usage.get("input_tokens"));
      tally.setOutput(usage.get("output_tokens"));
      tally.setCachedInput(usage.get("cache_read_input_tokens"));
      tally.setCacheCreationInput(usage.get("cache_creation_input_tokens"));
    }
  },

  /**
   * OpenAI Realtime: every {@code response.done} usage is one response of a long session, so each
   * ADDS to the total (see {@link UsageScanner#drainIncrement()}). The scanner skips usage objects
   * carrying a {@code type} field (input audio transcription usage): they are not a response's.
   */
  REALTIME {
    @Override
    void apply(JsonNode usage, UsageTally tally) {
      tally.setInput(usage.get("input_tokens"));
      tally.setOutput(usage.get("output_tokens"));
      JsonNode input = usage.path("input_token_details");
      tally.setCachedInput(input.get("cached_tokens"));
      tally.setAudioInput(input.get("audio_tokens"));
      tally.setAudioOutput(usage.path("output_token_details").get("audio_tokens"));
    }

    @Override
    boolean additive() {
      return true;
    }
  },

  /** Unknown provider: maps every known field name of the dialects above, first name present wins. */
  GENERIC {
    @Override
    void apply(JsonNode usage, UsageTally tally) {
      tally.setInput(first(usage.get("input_tokens"), usage.get("prompt_tokens")));
      tally.setOutput(first(usage.get("output_tokens"), usage.get("completion_tokens")));
      JsonNode input = first(usage.get("input_tokens_details"), usage.get("prompt_tokens_details"),
          usage.get("input_token_details"));
      JsonNode output = first(usage.get("output_tokens_details"),
          usage.get("completion_tokens_details"), usage.get("output_token_details"));
      input = input == null ? MissingNode.getInstance() : input;
      output = output == null ? MissingNode.getInstance() : output;
      tally.setCachedInput(first(usage.get("cache_read_input_tokens"), input.get("cached_tokens")));
      tally.setCacheCreationInput(usage.get("cache_creation_input_tokens"));
      tally.setAudioInput(input.get("audio_tokens"));
      tally.setReasoning(output.get("reasoning_tokens"));
      tally.setAudioOutput(output.get("audio_tokens"));
    }
  };

  /** Copies every field present in {@code usage} into {@code tally}; absent fields leave it as is. */
  abstract void apply(JsonNode usage, UsageTally tally);

  /** Whether each usage object adds to the total instead of overriding the fields it names. */
  boolean additive() {
    return false;
  }

  private static JsonNode first(JsonNode... candidates) {
    for (JsonNode candidate : candidates) {
      if (candidate != null && !candidate.isNull() && !candidate.isMissingNode()) {
        return candidate;
      }
    }
    return null;
  }
}
