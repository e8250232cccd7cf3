package dev.tollgate.core.pricing;

import dev.tollgate.core.usage.TokenUsage;
import java.util.Objects;

/**
 * One model's prices, in nano-USD per token (USD per 1M tokens x 1000), and how its provider reports
 * input classes. Immutable; {@link #cost} allocates nothing and is safe on the event loop.
 *
 * @param inclusiveInput true when cached and audio input are part of {@code inputTokens} (OpenAI), false
 *     when input, cache-read and cache-write are disjoint counts (Anthropic)
 */
public record ModelPrice(
    String provider,
    String model,
    boolean inclusiveInput,
    long inputNanoUsd,
    long cachedInputNanoUsd,
    long cacheWriteNanoUsd,
    long outputNanoUsd,
    long audioInputNanoUsd,
    long audioOutputNanoUsd) {

  private static final long NANOS_PER_MICRO = 1_000;

  public ModelPrice {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(model, "model");
    if (inputNanoUsd < 0 || cachedInputNanoUsd < 0 || cacheWriteNanoUsd < 0 || outputNanoUsd < 0
        || audioInputNanoUsd < 0 || audioOutputNanoUsd < 0) {
      throw new IllegalArgumentException("prices must be >= 0");
    }
  }

  /** The cost of {@code usage} in micro-USD, rounded half up. */
  public long costMicroUsd(TokenUsage usage) {
    long nanos;
    if (inclusiveInput) {
      // Cached and audio tokens are inside inputTokens; price each token once.
      long textInput = Math.max(0, usage.inputTokens() - usage.cachedInputTokens() - usage.audioInputTokens());
      long textOutput = Math.max(0, usage.outputTokens() - usage.audioOutputTokens());
      nanos = textInput * inputNanoUsd
          + usage.cachedInputTokens() * cachedInputNanoUsd
          + usage.cacheCreationInputTokens() * cacheWriteNanoUsd
          + usage.audioInputTokens() * audioInputNanoUsd
          + textOutput * outputNanoUsd
          + usage.audioOutputTokens() * audioOutputNanoUsd;
    } else {
      nanos = usage.inputTokens() * inputNanoUsd
          + usage.cachedInputTokens() * cachedInputNanoUsd
          + usage.cacheCreationInputTokens() * cacheWriteNanoUsd
          + usage.audioInputTokens() * audioInputNanoUsd
          + usage.outputTokens() * outputNanoUsd
          + usage.audioOutputTokens() * audioOutputNanoUsd;
    }
    return (nanos + NANOS_PER_MICRO / 2) / NANOS_PER_MICRO;
  }

  /**
   * The most a call can cost: every prompt token at the dearest input rate and {@code maxTokens} at
   * the dearest output rate, in micro-USD rounded up. Reserved against cost budgets before the call.
   */
  public long worstCaseCostMicroUsd(long promptTokensEstimate, long maxTokens) {
    long inputRate = Math.max(inputNanoUsd, Math.max(cacheWriteNanoUsd, audioInputNanoUsd));
    long outputRate = Math.max(outputNanoUsd, audioOutputNanoUsd);
    long nanos = Math.max(0, promptTokensEstimate) * inputRate + Math.max(0, maxTokens) * outputRate;
    return (nanos + NANOS_PER_MICRO - 1) / NANOS_PER_MICRO;
  }
}
