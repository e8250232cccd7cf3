package dev.tollgate.core.usage;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Mutable token counts that {@link UsageDialect#apply} fills from one parsed usage object: a setter
 * called with an absent, null or non-integer node leaves the field unchanged, so the latest value of
 * each field present wins. Confined to the scanner's event loop.
 */
final class UsageTally {

  long input;
  long output;
  long cachedInput;
  long cacheCreationInput;
  long reasoning;
  long audioInput;
  long audioOutput;

  void setInput(JsonNode node) {
    input = valueOr(node, input);
  }

  void setOutput(JsonNode node) {
    output = valueOr(node, output);
  }

  void setCachedInput(JsonNode node) {
    cachedInput = valueOr(node, cachedInput);
  }

  void setCacheCreationInput(JsonNode node) {
    cacheCreationInput = valueOr(node, cacheCreationInput);
  }

  void setReasoning(JsonNode node) {
    reasoning = valueOr(node, reasoning);
  }

  void setAudioInput(JsonNode node) {
    audioInput = valueOr(node, audioInput);
  }

  void setAudioOutput(JsonNode node) {
    audioOutput = valueOr(node, audioOutput);
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

  private static long valueOr(JsonNode node, long current) {
    if (node == null || !node.isIntegralNumber() || !node.canConvertToLong()) {
      return current;
    }
    long value = node.longValue();
    return value < 0 ? current : value;
  }
}
