package dev.tollgate.core.usage;

/**
 * Which provider's {@code usage} object a response carries, and so how its fields map onto
 * {@link TokenUsage} (PROTOCOLS.md §4–5). Chosen per route; read by {@link UsageScanner} on the
 * event loop.
 */
public enum UsageDialect {

  /** {@code POST /v1/chat/completions}, JSON or SSE (with {@code include_usage}). */
  OPENAI_CHAT {
    @Override
    void apply(UsageFields usage, UsageTally tally) {
      tally.setInput(usage.promptTokens);
      tally.setOutput(usage.completionTokens);
      tally.setCachedInput(usage.promptTokensDetails.cachedTokens);
      tally.setAudioInput(usage.promptTokensDetails.audioTokens);
      tally.setReasoning(usage.completionTokensDetails.reasoningTokens);
      tally.setAudioOutput(usage.completionTokensDetails.audioTokens);
    }
  },

  /** {@code POST /v1/responses}: the usage of the terminal {@code response.*} event. */
  OPENAI_RESPONSES {
    @Override
    void apply(UsageFields usage, UsageTally tally) {
      tally.setInput(usage.inputTokens);
      tally.setOutput(usage.outputTokens);
      tally.setCachedInput(usage.inputTokensDetails.cachedTokens);
      tally.setReasoning(usage.outputTokensDetails.reasoningTokens);
    }
  },

  /** {@code POST /v1/embeddings}: only {@code prompt_tokens}. */
  OPENAI_EMBEDDINGS {
    @Override
    void apply(UsageFields usage, UsageTally tally) {
      tally.setInput(usage.promptTokens);
    }
  },

  /**
   * {@code POST /v1/messages}: {@code message_start} brings the input side and a placeholder output,
   * {@code message_delta} a cumulative usage whose fields override it.
   */
  ANTHROPIC_MESSAGES {
    @Override
    void apply(UsageFields usage, UsageTally tally) {
      tally.setInput(usage.inputTokens);
      tally.setOutput(usage.outputTokens);
      tally.setCachedInput(usage.cacheReadInputTokens);
      tally.setCacheCreationInput(usage.cacheCreationInputTokens);
    }
  },

  /**
   * OpenAI Realtime: every {@code response.done} usage is one response of a long session, so each
   * ADDS to the total (see {@link UsageScanner#drainIncrement()}). The scanner skips usage objects
   * carrying a {@code type} field (input audio transcription usage): they are not a response's.
   */
  REALTIME {
    @Override
    void apply(UsageFields usage, UsageTally tally) {
      tally.setInput(usage.inputTokens);
      tally.setOutput(usage.outputTokens);
      tally.setCachedInput(usage.inputTokenDetails.cachedTokens);
      tally.setAudioInput(usage.inputTokenDetails.audioTokens);
      tally.setAudioOutput(usage.outputTokenDetails.audioTokens);
    }

    @Override
    boolean additive() {
      return true;
    }
  },

  /**
   * Unknown provider: maps every known field name of the dialects above; the first name present
   * (even with an unusable value) wins.
   */
  GENERIC {
    @Override
    void apply(UsageFields usage, UsageTally tally) {
      tally.setInput(UsageFields.first(usage.inputTokens, usage.promptTokens));
      tally.setOutput(UsageFields.first(usage.outputTokens, usage.completionTokens));
      UsageFields.Details input = firstPresent(usage.inputTokensDetails, usage.promptTokensDetails,
          usage.inputTokenDetails);
      UsageFields.Details output = firstPresent(usage.outputTokensDetails,
          usage.completionTokensDetails, usage.outputTokenDetails);
      tally.setCachedInput(UsageFields.first(usage.cacheReadInputTokens, input.cachedTokens));
      tally.setCacheCreationInput(usage.cacheCreationInputTokens);
      tally.setAudioInput(input.audioTokens);
      tally.setReasoning(output.reasoningTokens);
      tally.setAudioOutput(output.audioTokens);
    }
  };

  /** Copies every usable count of {@code usage} into {@code tally}; the others leave it as is. */
  abstract void apply(UsageFields usage, UsageTally tally);

  /** Whether each usage object adds to the total instead of overriding the fields it names. */
  boolean additive() {
    return false;
  }

  /** The first details present; when none is, the last one (absent, so all its counts are too). */
  private static UsageFields.Details firstPresent(UsageFields.Details... candidates) {
    for (UsageFields.Details candidate : candidates) {
      if (candidate.present) {
        return candidate;
      }
    }
    return candidates[candidates.length - 1];
  }
}
