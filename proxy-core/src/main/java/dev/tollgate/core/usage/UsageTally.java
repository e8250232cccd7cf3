package dev.tollgate.core.usage;

/**
 * Mutable token counts that {@link UsageDialect#apply} fills from one parsed usage object: a setter
 * called with a negative count ({@link UsageFields#ABSENT} or {@link UsageFields#UNUSABLE}) leaves the
 * field unchanged, so the latest usable value of each field wins. Confined to the scanner's event loop.
 */
final class UsageTally {

  long input;
  long output;
  long cachedInput;
  long cacheCreationInput;
  long reasoning;
  long audioInput;
  long audioOutput;

  void setInput(long count) {
    input = valueOr(count, input);
  }

  void setOutput(long count) {
    output = valueOr(count, output);
  }

  void setCachedInput(long count) {
    cachedInput = valueOr(count, cachedInput);
  }

  void setCacheCreationInput(long count) {
    cacheCreationInput = valueOr(count, cacheCreationInput);
  }

  void setReasoning(long count) {
    reasoning = valueOr(count, reasoning);
  }

  void setAudioInput(long count) {
    audioInput = valueOr(count, audioInput);
  }

  void setAudioOutput(long count) {
    audioOutput = valueOr(count, audioOutput);
  }

  void add(UsageTally other) {
    input += other.input;
    output += other.output;
    cachedInput += other.cachedInput;
    cacheCreationInput += other.cacheCreationInput;
    reasoning += other.reasoning;
    audioInput += other.audioInput;
    audioOutput += other.audioOutput;
  }

  void clear() {
    input = 0;
    output = 0;
    cachedInput = 0;
    cacheCreationInput = 0;
    reasoning = 0;
    audioInput = 0;
    audioOutput = 0;
  }

  TokenUsage toUsage() {
    return new TokenUsage(input, output, cachedInput, cacheCreationInput, reasoning, audioInput,
        audioOutput);
  }

  private static long valueOr(long count, long current) {
    return count < 0 ? current : count;
  }
}
