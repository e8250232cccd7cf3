package dev.tollgate.core.usage;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.core.route.PlainJson;
import java.io.IOException;

/**
 * The token counts of one {@code usage} object, read into fields reused from object to object (no
 * tree, no map): by {@link PlainJson} when the object is plain JSON, as it nearly always is, else by
 * a streaming Jackson parser. Each count is a non-negative value, {@link #ABSENT} or
 * {@link #UNUSABLE}; {@link UsageDialect#apply} maps them onto a {@link UsageTally}. One per event
 * loop thread, shared by the scanners running there: each reads and applies it in one call.
 */
final class UsageFields {

  /** The field is missing or JSON {@code null}: a fallback name may stand in for it. */
  static final long ABSENT = -1;
  /** The field is present but not a non-negative long (text, fraction, negative, too large, ...). */
  static final long UNUSABLE = -2;

  private static final JsonFactory JSON = new JsonFactory();

  // the names both readers recognise, by index: top-level counts, then details objects, then type
  private static final String[] NAMES = {"prompt_tokens", "completion_tokens", "input_tokens",
      "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens", "prompt_tokens_details",
      "completion_tokens_details", "input_tokens_details", "output_tokens_details",
      "input_token_details", "output_token_details", "type"};
  private static final String[] DETAIL_NAMES = {"cached_tokens", "audio_tokens", "reasoning_tokens"};
  private static final PlainJson.Names PLAIN_NAMES = new PlainJson.Names(NAMES);
  private static final PlainJson.Names PLAIN_DETAIL_NAMES = new PlainJson.Names(DETAIL_NAMES);
  private static final int FIRST_DETAILS = 6;
  private static final int TYPE = 12;
  private static final int UNKNOWN = -1;

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
  /** The value of the count the plain reader read last. */
  private long plainCount;

  /**
   * Reads the JSON object in {@code bytes[offset, offset + length)}, exactly as strict as a Jackson
   * tree parse: every string is decoded, every token checked.
   *
   * @return false when the bytes are not one valid JSON object; the fields are then unspecified
   */
  boolean read(byte[] bytes, int offset, int length) {
    // each reader starts from cleared fields: the plain one may have set some before it gave up
    return readPlain(bytes, offset, offset + length) || readWithJackson(bytes, offset, length);
  }

  // --- the plain-JSON reader: no allocation ---

  /** Reads the object in {@code b[from, to)}: true when read, false when Jackson must read it. */
  boolean readPlain(byte[] b, int from, int to) {
    int i = PlainJson.skipSpace(b, from, to);
    if (i == to || b[i] != '{') {
      clear();
      return false;
    }
    i = readPlainObjectAt(b, i, to);
    return i != PlainJson.UNDECIDED && PlainJson.skipSpace(b, i, to) == to;
  }

  /**
   * Reads the plain JSON object that opens at {@code b[from]}, if it closes before {@code to}: returns
   * the index just after it, or {@link PlainJson#UNDECIDED} when it does not close there or is not plain
   * (the fields are then unspecified). What this reads, {@link #read} reads alike.
   */
  int readPlainObjectAt(byte[] b, int from, int to) {
    clear();
    return plainMembers(b, from + 1, to, null);
  }

  /**
   * Reads the members of the object opened just before {@code i}: the usage object's when
   * {@code details} is null, else those of that details object. Returns the index after the object.
   */
  private int plainMembers(byte[] b, int i, int to, Details details) {
    PlainJson.Names names = details == null ? PLAIN_NAMES : PLAIN_DETAIL_NAMES;
    int at = PlainJson.firstMember(b, i, to);
    while (at >= 0) {
      int nameTo = PlainJson.plainStringEnd(b, at + 1, to);
      int valueAt = PlainJson.valueAfterName(b, nameTo, to);
      int index = valueAt == PlainJson.UNDECIDED ? UNKNOWN : names.indexOf(b, at + 1, nameTo);
      int end = valueAt == PlainJson.UNDECIDED ? valueAt
          : details == null ? plainMember(index, b, valueAt, to)
          : details.plainMember(index, b, valueAt, to, this); // details objects hold only counts: no nesting
      at = PlainJson.nextMember(b, end, to);
    }
    return PlainJson.objectEnd(at);
  }

  /** Reads the value at {@code b[i]} of the usage object's member {@code NAMES[index]}. */
  private int plainMember(int index, byte[] b, int i, int to) {
    if (index == UNKNOWN || index == TYPE) {
      hasType |= index == TYPE;
      return PlainJson.valueEnd(b, i, to, 2);
    }
    if (index < FIRST_DETAILS) {
      int end = plainCount(b, i, to);
      if (end != PlainJson.UNDECIDED) {
        setCount(index, plainCount);
      }
      return end;
    }
    Details details = details(index);
    details.clear(); // a repeated key replaces the whole value, as in a tree
    if (b[i] != '{') {
      details.present = b[i] != 'n';
      return PlainJson.valueEnd(b, i, to, 2);
    }
    details.present = true;
    return plainMembers(b, i + 1, to, details);
  }

  /** Reads a count's value at {@code b[i]} into {@link #plainCount}; returns the index after it. */
  private int plainCount(byte[] b, int i, int to) {
    int end = PlainJson.valueEnd(b, i, to, 3);
    if (end == PlainJson.UNDECIDED) {
      return end;
    }
    byte first = b[i];
    if (first == 'n') {
      plainCount = ABSENT;
    } else if ((first == '-' || (first >= '0' && first <= '9')) && PlainJson.isInteger(b, i, end)) {
      long count = PlainJson.shortIntegerValue(b, i, end);
      if (count == Long.MIN_VALUE) {
        return PlainJson.UNDECIDED; // maybe beyond a long: Jackson tells
      }
      plainCount = count < 0 ? UNUSABLE : count;
    } else {
      plainCount = UNUSABLE;
    }
    return end;
  }

  // --- the Jackson reader: any valid JSON ---

  /** Reads the object with Jackson alone (also the plain reader's reference in tests). */
  boolean readWithJackson(byte[] bytes, int offset, int length) {
    clear();
    try (JsonParser parser = JSON.createParser(bytes, offset, length)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        readField(parser, indexOf(NAMES, parser.currentName()), parser.nextToken());
      }
      return token == JsonToken.END_OBJECT;
    } catch (IOException e) {
      return false; // not valid JSON after all: nothing to meter from it
    }
  }

  private void readField(JsonParser parser, int index, JsonToken value) throws IOException {
    if (index == UNKNOWN || index == TYPE) {
      hasType |= index == TYPE;
      skip(parser, value);
    } else if (index < FIRST_DETAILS) {
      setCount(index, count(parser, value));
    } else {
      details(index).read(parser, value);
    }
  }

  private void setCount(int index, long count) {
    switch (index) {
      case 0 -> promptTokens = count;
      case 1 -> completionTokens = count;
      case 2 -> inputTokens = count;
      case 3 -> outputTokens = count;
      case 4 -> cacheReadInputTokens = count;
      case 5 -> cacheCreationInputTokens = count;
      default -> throw new IllegalArgumentException("index: " + index + " (expected: < 6)");
    }
  }

  private Details details(int index) {
    return switch (index) {
      case 6 -> promptTokensDetails;
      case 7 -> completionTokensDetails;
      case 8 -> inputTokensDetails;
      case 9 -> outputTokensDetails;
      case 10 -> inputTokenDetails;
      case 11 -> outputTokenDetails;
      default -> throw new IllegalArgumentException("index: " + index + " (expected: 6 to 11)");
    };
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

  private static int indexOf(String[] names, String name) {
    for (int k = 0; k < names.length; k++) {
      if (names[k].equals(name)) {
        return k;
      }
    }
    return UNKNOWN;
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
        int index = indexOf(DETAIL_NAMES, parser.currentName());
        JsonToken field = parser.nextToken();
        if (index == UNKNOWN) {
          skip(parser, field);
        } else {
          set(index, count(parser, field));
        }
      }
    }

    /** Reads the value at {@code b[i]} of the member {@code DETAIL_NAMES[index]}. */
    private int plainMember(int index, byte[] b, int i, int to, UsageFields reader) {
      if (index == UNKNOWN) {
        return PlainJson.valueEnd(b, i, to, 3);
      }
      int end = reader.plainCount(b, i, to);
      if (end != PlainJson.UNDECIDED) {
        set(index, reader.plainCount);
      }
      return end;
    }

    private void set(int index, long count) {
      switch (index) {
        case 0 -> cachedTokens = count;
        case 1 -> audioTokens = count;
        case 2 -> reasoningTokens = count;
        default -> throw new IllegalArgumentException("index: " + index + " (expected: < 3)");
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
