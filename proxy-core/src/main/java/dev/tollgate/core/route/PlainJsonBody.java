package dev.tollgate.core.route;

import dev.tollgate.core.bytes.LastText;
import dev.tollgate.core.context.RequestContext;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;

/**
 * The allocation-free path of {@link RequestBodyInspector}: reads a body written in plain JSON (ASCII
 * text, simple escapes, short numbers, shallow nesting) and sets the fields the inspector wants. Any
 * body outside that subset, valid or not, is handed back undecided so that Jackson reads it: the
 * subset is only what Jackson accepts too, with the same values. Runs on the event loop.
 */
final class PlainJsonBody {

  /** The model read last on this thread, given again for the same bytes. */
  private static final FastThreadLocal<LastText> MODELS = LastText.perThread();
  private static final byte[] MODEL = ascii("model");
  private static final byte[] STREAM = ascii("stream");
  private static final byte[] STREAM_OPTIONS = ascii("stream_options");
  private static final byte[] INCLUDE_USAGE = ascii("include_usage");
  private static final byte[] MAX_TOKENS = ascii("max_tokens");
  private static final byte[] MAX_COMPLETION_TOKENS = ascii("max_completion_tokens");
  private static final byte[] MAX_OUTPUT_TOKENS = ascii("max_output_tokens");

  private PlainJsonBody() {
  }

  /**
   * Reads the JSON object in {@code bytes[from, to)} into {@code request}.
   *
   * @return true when the body was read; false when Jackson must read it. Fields met before the
   *     point where this path gave up are already set: Jackson sets them again, in the same order.
   */
  static boolean read(byte[] bytes, int from, int to, RequestContext request) {
    int i = PlainJson.skipSpace(bytes, from, to);
    if (i == to || bytes[i] != '{') {
      return false;
    }
    i = members(bytes, i + 1, to, request, false);
    return i != PlainJson.UNDECIDED && PlainJson.skipSpace(bytes, i, to) == to;
  }

  /**
   * Reads the members of the object opened just before {@code i}: the body's own when
   * {@code streamOptions} is false, else those of its {@code stream_options}. Returns the index after it.
   */
  private static int members(byte[] b, int i, int to, RequestContext request, boolean streamOptions) {
    int at = PlainJson.firstMember(b, i, to);
    while (at >= 0) {
      int nameTo = PlainJson.plainStringEnd(b, at + 1, to);
      int valueAt = PlainJson.valueAfterName(b, nameTo, to);
      at = PlainJson.nextMember(b, valueAt == PlainJson.UNDECIDED ? valueAt
          : streamOptions ? streamOption(b, at + 1, nameTo, valueAt, to, request)
          : topLevelField(b, at + 1, nameTo, valueAt, to, request), to);
    }
    return PlainJson.objectEnd(at);
  }

  /** Reads the value at {@code i} of the top-level field {@code b[nameFrom, nameTo)}. */
  private static int topLevelField(byte[] b, int nameFrom, int nameTo, int i, int to, RequestContext request) {
    byte first = b[i];
    boolean container = first == '{' || first == '[';
    if (PlainJson.is(b, nameFrom, nameTo, MODEL)) {
      if (first != '"') {
        // Jackson does not skip a container here and would read on inside it: let it do that
        return container ? PlainJson.UNDECIDED : PlainJson.scalarEnd(b, i, to);
      }
      int close = PlainJson.plainStringEnd(b, i + 1, to);
      if (close == PlainJson.UNDECIDED) {
        return PlainJson.UNDECIDED;
      }
      request.requestModel(MODELS.get().decode(b, i + 1, close));
      return close + 1;
    }
    if (PlainJson.is(b, nameFrom, nameTo, STREAM)) {
      int end = container ? PlainJson.UNDECIDED : PlainJson.scalarEnd(b, i, to);
      if (end != PlainJson.UNDECIDED) {
        request.stream(first == 't');
      }
      return end;
    }
    if (PlainJson.is(b, nameFrom, nameTo, STREAM_OPTIONS)) {
      return first == '{' ? members(b, i + 1, to, request, true) : PlainJson.valueEnd(b, i, to, 1);
    }
    if (PlainJson.is(b, nameFrom, nameTo, MAX_TOKENS) || PlainJson.is(b, nameFrom, nameTo, MAX_COMPLETION_TOKENS)
        || PlainJson.is(b, nameFrom, nameTo, MAX_OUTPUT_TOKENS)) {
      return container ? PlainJson.UNDECIDED : maxOutputTokens(b, i, to, request);
    }
    return PlainJson.valueEnd(b, i, to, 1);
  }

  /** Reads the value at {@code i} of the {@code stream_options} member {@code b[nameFrom, nameTo)}. */
  private static int streamOption(byte[] b, int nameFrom, int nameTo, int i, int to, RequestContext request) {
    if (!PlainJson.is(b, nameFrom, nameTo, INCLUDE_USAGE)) {
      return PlainJson.valueEnd(b, i, to, 2);
    }
    boolean container = b[i] == '{' || b[i] == '[';
    int end = container ? PlainJson.UNDECIDED : PlainJson.scalarEnd(b, i, to); // Jackson would not skip a container
    if (end != PlainJson.UNDECIDED) {
      request.clientIncludeUsage(b[i] == 't');
    }
    return end;
  }

  /** An integer sets the limit, a fraction is ignored (as Jackson's VALUE_NUMBER_FLOAT is). */
  private static int maxOutputTokens(byte[] b, int i, int to, RequestContext request) {
    int end = PlainJson.scalarEnd(b, i, to);
    if (end == PlainJson.UNDECIDED || !(b[i] == '-' || PlainJson.isDigit(b[i]))
        || !PlainJson.isInteger(b, i, end)) {
      return end;
    }
    long value = PlainJson.shortIntegerValue(b, i, end);
    if (value == Long.MIN_VALUE) {
      return PlainJson.UNDECIDED; // maybe beyond a long, which Jackson refuses
    }
    request.maxOutputTokens(value);
    return end;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
