package dev.tollgate.core.usage;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The token counts of one {@code usage} object, read with a streaming parser into fields reused from
 * object to object (no tree, no map). Each count is a non-negative value, {@link #ABSENT} or
 * {@link #UNUSABLE}; {@link UsageDialect#apply} maps them onto a {@link UsageTally}. One per event
 * loop thread, shared by the scanners running there: each reads and applies it in one call.
 */
final class UsageFields {

  /** The field is missing or JSON {@code null}: a fallback name may stand in for it. */
  static final long ABSENT = -1;
  /** The field is present but not a non-negative long (text, fraction, negative, too large, ...). */
  static final long UNUSABLE = -2;

  private static final JsonFactory JSON = new JsonFactory();

  long promptTokens;
  long completionTokens;
  long inputTokens;
  long outputTokens;
  long cacheReadInputTokens;
  long cacheCreationInputTokens;
  /** Whether the object has a {@code type} key (any value, even null). */
  boolean hasType;
  final Details promptTokensDetails = new Details();
  final Details completionTokensDetails = new Details();
  final Details inputTokensDetails = new Details();
  final Details outputTokensDetails = new Details();
  final Details inputTokenDetails = new Details();
  final Details outputTokenDetails = new Details();

  /**
   * Reads the JSON object in {@code bytes[offset, offset + length)}, exactly as strict as a Jackson
   * tree parse: every string is decoded, every token checked.
   *
   * @return false when the bytes are not one valid JSON object; the fields are then unspecified
   */
  boolean read(byte[] bytes, int offset, int length) {
    clear();
    try (JsonParser parser = JSON.createParser(bytes, offset, length)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        readField(parser, parser.currentName(), parser.nextToken());
      }
      return token == JsonToken.END_OBJECT;
    } catch (IOException e) {
      return false; // not valid JSON after all: nothing to meter from it
    }
  }

  private void readField(JsonParser parser, String name, JsonToken value) throws IOException {
    switch (name) {
      case "prompt_tokens" -> promptTokens = count(parser, value);
      case "completion_tokens" -> completionTokens = count(parser, value);
      case "input_tokens" -> inputTokens = count(parser, value);
      case "output_tokens" -> outputTokens = count(parser, value);
      case "cache_read_input_tokens" -> cacheReadInputTokens = count(parser, value);
      case "cache_creation_input_tokens" -> cacheCreationInputTokens = count(parser, value);
      case "prompt_tokens_details" -> promptTokensDetails.read(parser, value);
      case "completion_tokens_details" -> completionTokensDetails.read(parser, value);
      case "input_tokens_details" -> inputTokensDetails.read(parser, value);
      case "output_tokens_details" -> outputTokensDetails.read(parser, value);
      case "input_token_details" -> inputTokenDetails.read(parser, value);
      case "output_token_details" -> outputTokenDetails.read(parser, value);
      case "type" -> {
        hasType = true;
        skip(parser, value);
      }
      default -> skip(parser, value);
    }
  }

  private void clear() {
    promptTokens = ABSENT;
    completionTokens = ABSENT;
    inputTokens = ABSENT;
    outputTokens = ABSENT;
    cacheReadInputTokens = ABSENT;
    cacheCreationInputTokens = ABSENT;
    hasType = false;
    promptTokensDetails.clear();
    completionTokensDetails.clear();
    inputTokensDetails.clear();
    outputTokensDetails.clear();
    inputTokenDetails.clear();
    outputTokenDetails.clear();
  }

  /** {@code preferred} if present (not {@link #ABSENT}), else {@code fallback}. */
  static long first(long preferred, long fallback) {
    return preferred != ABSENT ? preferred : fallback;
  }

  /** Reads the value {@code value} starts; the parser is left on its last token. */
  private static long count(JsonParser parser, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return ABSENT;
    }
    if (value != JsonToken.VALUE_NUMBER_INT) {
      skip(parser, value);
      return UNUSABLE;
    }
    JsonParser.NumberType type = parser.getNumberType();
    if (type != JsonParser.NumberType.INT && type != JsonParser.NumberType.LONG) {
      return UNUSABLE; // a BigInteger: beyond a long
    }
    long count = parser.getLongValue();
    return count < 0 ? UNUSABLE : count;
  }

  /**
   * Skips the value {@code value} starts, decoding every string on the way (as a tree parse would, so
   * that malformed text is refused alike) without building one.
   */
  private static void skip(JsonParser parser, JsonToken value) throws IOException {
    int depth = 0;
    JsonToken token = value;
    while (true) {
      if (token == null) {
        throw new IOException("usage object ended inside a value");
      }
      if (token.isStructStart()) {
        depth++;
      } else if (token.isStructEnd()) {
        depth--;
      } else if (token == JsonToken.VALUE_STRING) {
        parser.finishToken();
      }
      if (depth == 0) {
        return;
      }
      token = parser.nextToken();
    }
  }

  /** One {@code *_details} object: present or not, and its counts if it is an object. */
  static final class Details {

    /** Whether the key is present with a non-null value (of any type). */
    boolean present;
    long cachedTokens;
    long audioTokens;
    long reasoningTokens;

    private void read(JsonParser parser, JsonToken value) throws IOException {
      clear(); // a repeated key replaces the whole value, as in a tree
      present = value != JsonToken.VALUE_NULL;
      if (value != JsonToken.START_OBJECT) {
        skip(parser, value);
        return;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken field = parser.nextToken();
        switch (name) {
          case "cached_tokens" -> cachedTokens = count(parser, field);
          case "audio_tokens" -> audioTokens = count(parser, field);
          case "reasoning_tokens" -> reasoningTokens = count(parser, field);
          default -> skip(parser, field);
        }
      }
    }

    private void clear() {
      present = false;
      cachedTokens = ABSENT;
      audioTokens = ABSENT;
      reasoningTokens = ABSENT;
    }
  }
}
