package dev.tollgate.core.usage;

/**
 * Tokens one request consumed, by kind, as reported by the provider. Input classes follow the
 * provider's own accounting: for OpenAI {@code cachedInputTokens} is a subset of
 * {@code inputTokens}; for Anthropic the three input classes are disjoint (see PROTOCOLS.md §4–5).
 */
public record TokenUsage(
    long inputTokens,
    long outputTokens,
    long cachedInputTokens,
    long cacheCreationInputTokens,
    long reasoningTokens,
    long audioInputTokens,
    long audioOutputTokens) {

  public static final TokenUsage NONE = new TokenUsage(0, 0, 0, 0, 0, 0, 0);

  public TokenUsage {
    if (inputTokens < 0 || outputTokens < 0 || cachedInputTokens < 0 || cacheCreationInputTokens < 0
        || reasoningTokens < 0 || audioInputTokens < 0 || audioOutputTokens < 0) {
      throw new IllegalArgumentException("token counts must be >= 0");
    }
  }

  public static TokenUsage of(long inputTokens, long outputTokens) {
    return new TokenUsage(inputTokens, outputTokens, 0, 0, 0, 0, 0);
  }

  public long totalTokens() {
    return inputTokens + outputTokens;
  }

  /** Whether every count is zero (compared field by field: a record's equals goes through method handles). */
  public boolean isEmpty() {
    return (inputTokens | outputTokens | cachedInputTokens | cacheCreationInputTokens | reasoningTokens
        | audioInputTokens | audioOutputTokens) == 0;
  }

  public TokenUsage plus(TokenUsage other) {
    return new TokenUsage(
        inputTokens + other.inputTokens,
        outputTokens + other.outputTokens,
        cachedInputTokens + other.cachedInputTokens,
        cacheCreationInputTokens + other.cacheCreationInputTokens,
        reasoningTokens + other.reasoningTokens,
        audioInputTokens + other.audioInputTokens,
        audioOutputTokens + other.audioOutputTokens);
  }
}
