package dev.tollgate.core.usage;

import static dev.tollgate.core.bytes.ByteWords.firstMarked;
import static dev.tollgate.core.bytes.ByteWords.matches;
import static dev.tollgate.core.bytes.ByteWords.repeated;
import static dev.tollgate.core.bytes.ByteWords.word;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.core.bytes.LastText;
import dev.tollgate.core.route.PlainJson;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Finds the provider's {@code usage} object and the first {@code model} in an upstream response body
 * as it streams by, chunk by chunk, without copying the body. One instance per response (or per
 * Realtime session), confined to the client channel's event loop; the usage tap calls
 * {@link #scan(ByteBuf)} on every chunk before forwarding it.
 *
 * <p>Between values the scanner seeks only a quote followed by {@code u} (or {@code m} while the model
 * is unknown), eight bytes a step, and does not follow strings at all: in valid JSON a quote inside a
 * string is escaped (a backslash before it), and a quote that ends a string is never followed by a
 * letter, so an unescaped quote followed by {@code usage"} opens the string {@code usage}. The words
 * {@code usage} and {@code model} inside content text therefore never match. Only keys are recognised:
 * such a string followed by {@code :}. A candidate cut by the end of a chunk is matched byte by byte by
 * a state machine that tracks string and escape state until that string ends; its string state resets
 * at every {@code \n}, since a JSON string cannot hold a raw newline and SSE events are line based. A
 * {@code usage} object value is read with a streaming Jackson parser once it closes: in place when it
 * lies within one chunk, else from a small bounded buffer the parts are copied into;
 * {@code "usage":null} is ignored.
 */
public final class UsageScanner {

  /** Largest usage object captured; a longer one is skipped. */
  public static final int MAX_USAGE_BYTES = 8 * 1024;
  /** Longest model name captured; a longer one is skipped and the next {@code model} is tried. */
  public static final int MAX_MODEL_BYTES = 200;

  private static final JsonFactory JSON = new JsonFactory();
  private static final byte[] USAGE_KEY = "usage".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MODEL_KEY = "model".getBytes(StandardCharsets.US_ASCII);
  private static final int KEY_LENGTH = 5;
  /** Per event-loop thread: direct chunks are scanned from a copy in this array (no reentrancy: step never scans). */
  private static final FastThreadLocal<byte[]> BLOCK = new FastThreadLocal<>() {
    @Override
    protected byte[] initialValue() {
      return new byte[4096];
    }
  };
  /** Per event-loop thread: a usage object is read into these fields and applied at once (no reentrancy). */
  private static final FastThreadLocal<UsageFields> FIELDS = new FastThreadLocal<>() {
    @Override
    protected UsageFields initialValue() {
      return new UsageFields();
    }
  };
  /** Per event-loop thread: the model decoded last, given again for the same bytes. */
  private static final FastThreadLocal<LastText> MODELS = LastText.perThread();
  /** First size of the usage buffer (for an object split across chunks): a few hundred bytes. */
  private static final int INITIAL_USAGE_BYTES = 512;
  /** First size of the model buffer: model names are a few dozen bytes. */
  private static final int INITIAL_MODEL_BYTES = 48;

  // bytes sought eight at a time (see ByteWords)
  private static final long QUOTES = repeated('"');
  private static final long BACKSLASHES = repeated('\\');
  private static final long NEWLINES = repeated('\n');
  private static final long OPEN_BRACES = repeated('{');
  private static final long CLOSE_BRACES = repeated('}');
  private static final long LETTER_US = repeated('u');
  private static final long LETTER_MS = repeated('m');

  // states of the byte machine
  private static final int OUTSIDE = 0;
  private static final int IN_STRING = 1;
  private static final int AFTER_KEY = 2;
  private static final int BEFORE_VALUE = 3;
  private static final int IN_USAGE = 4;
  private static final int IN_MODEL = 5;

  private static final int KEY_NONE = 0;
  private static final int KEY_USAGE = 1;
  private static final int KEY_MODEL = 2;

  private final UsageDialect dialect;
  private final boolean sse;
  private final UsageTally tally = new UsageTally();
  private final UsageTally increment;
  private final UsageTally scratch;

  private int state = OUTSIDE;
  private boolean escaped;
  // the string being read while OUTSIDE a value: matched, byte by byte, against the keys we want
  private int keyLength;
  private boolean keyCandidate;
  private boolean keyMayBeUsage;
  private boolean keyMayBeModel;
  private int pendingKey = KEY_NONE;
  // the last byte of the previous block (whether a quote at the start of this one is escaped), and
  // whether that byte was a quote whose next byte (this block's first) decides if it may open a key
  private byte previousByte;
  private boolean quoteEndedBlock;

  // the usage object is parsed in place when it closes in the block it started in; the part of it in
  // earlier blocks is copied into usageBytes (usageLength bytes) as each block ends
  private byte[] usageBytes;
  private int usageLength;
  private int usageStart; // index in the current block where the part not yet copied begins
  private int usageDepth;
  private boolean usageInString;
  private boolean usageOverflow;

  // like the usage object, the model is decoded in place when it closes in the block it started in;
  // its part in earlier blocks is copied into modelBytes (modelCopied bytes counted) as each block ends
  private byte[] modelBytes;
  private int modelLength; // every byte of the value so far, also past MAX_MODEL_BYTES
  private int modelCopied;
  private int modelStart; // index in the current block where the part not yet copied begins
  private boolean modelHasEscape;
  private String model;

  private boolean sawUsage;

  /**
   * @param dialect how usage fields map onto {@link TokenUsage}
   * @param sse whether the body is a {@code text/event-stream}: then a line end also ends any
   *     usage object being captured
   */
  public UsageScanner(UsageDialect dialect, boolean sse) {
    this.dialect = Objects.requireNonNull(dialect, "dialect");
    this.sse = sse;
    this.increment = dialect.additive() ? new UsageTally() : null;
    this.scratch = dialect.additive() ? new UsageTally() : null;
  }

  /** Whether this scanner reads bodies of {@code dialect}, event streams or not as {@code sse} says. */
  public boolean reads(UsageDialect dialect, boolean sse) {
    return this.dialect == dialect && this.sse == sse;
  }

  /**
   * Forgets everything seen, to scan the next body as a new scanner would (a pooled upstream connection
   * keeps one scanner for the responses it carries, one after the other).
   */
  public void restart() {
    state = OUTSIDE;
    previousByte = 0;
    quoteEndedBlock = false;
    escaped = false;
    keyLength = 0;
    keyCandidate = false;
    keyMayBeUsage = false;
    keyMayBeModel = false;
    pendingKey = KEY_NONE;
    usageLength = 0;
    usageStart = 0;
    usageDepth = 0;
    usageInString = false;
    usageOverflow = false;
    modelLength = 0;
    modelCopied = 0;
    modelStart = 0;
    modelHasEscape = false;
    model = null;
    sawUsage = false;
    tally.clear();
    if (increment != null) {
      increment.clear();
      scratch.clear();
    }
  }

  /**
   * Scans the readable bytes of {@code chunk}. Reads only: indexes, content and reference count stay
   * as they were, and the caller keeps ownership of the buffer.
   */
  public void scan(ByteBuf chunk) {
    int from = chunk.readerIndex();
    int end = chunk.writerIndex();
    if (chunk.hasArray()) {
      int offset = chunk.arrayOffset();
      scan(chunk.array(), offset + from, offset + end);
      return;
    }
    // a direct buffer: copied block by block into this thread's array, so that the state machine runs
    // in a plain loop instead of a (megamorphic) ByteProcessor call per byte
    byte[] block = BLOCK.get();
    while (from < end) {
      int n = Math.min(block.length, end - from);
      chunk.getBytes(from, block, 0, n);
      scan(block, 0, n);
      from += n;
    }
  }

  /** The usage seen so far: latest value per field, or the sum for {@link UsageDialect#REALTIME}. */
  public TokenUsage usage() {
    return sawUsage ? tally.toUsage() : TokenUsage.NONE;
  }

  /** The first {@code model} string value of the body, or null if none was seen yet. */
  public String model() {
    return model;
  }

  /** Whether at least one usage object was found and parsed. */
  public boolean sawUsage() {
    return sawUsage;
  }

  /**
   * For {@link UsageDialect#REALTIME}: the usage added since the previous call (NONE if nothing was),
   * so a long session can be metered response by response.
   *
   * @throws IllegalStateException for any other dialect, whose usage is not additive
   */
  public TokenUsage drainIncrement() {
    if (increment == null) {
      throw new IllegalStateException("drainIncrement: dialect " + dialect
          + " (expected: REALTIME)");
    }
    TokenUsage drained = increment.toUsage();
    increment.clear();
    return drained;
  }

  private void scan(byte[] bytes, int from, int to) {
    if (from == to) {
      return;
    }
    usageStart = from; // a usage object or model still open continues at the start of this block
    modelStart = from;
    if (quoteEndedBlock) {
      quoteEndedBlock = false;
      byte next = bytes[from];
      if (state == OUTSIDE && (next == 'u' || next == 'm')) {
        startKeyCandidate(); // the last block's last quote opens a string that may be a key
      }
    }
    for (int i = from; i < to; i++) {
      // between values only a quote that opens "usage" or "model" matters, and inside a string that
      // cannot be a wanted key only its end (a quote, an escape, or a raw newline that resyncs)
      if (state == OUTSIDE) {
        i = indexOfKeyStart(bytes, i, to, model == null);
        if (i == to) {
          break;
        }
        if ((i > from ? bytes[i - 1] : previousByte) == '\\') {
          continue; // an escaped quote: inside a string
        }
        if (i + KEY_LENGTH + 1 < to) {
          // the whole string could be one of our keys and its closing quote lies in this block: judge
          // it in one look (letters hold no escapes); any other string is not stepped through at all
          if (bytes[i + KEY_LENGTH + 1] == '"') {
            pendingKey = keyAt(bytes, i + 1);
            if (pendingKey != KEY_NONE) {
              state = AFTER_KEY;
              i += KEY_LENGTH + 1;
            }
          }
          continue;
        }
        if (i + 1 == to) {
          quoteEndedBlock = true; // the next block's first byte says whether it may open a key
          break;
        }
        startKeyCandidate(); // a key candidate that ends in a later block: matched byte by byte
        continue;
      } else if (state == IN_STRING && !keyCandidate && !escaped) {
        i = indexOfStringEnd(bytes, i, to);
        if (i < to && bytes[i] == '"') {
          state = OUTSIDE; // the end of a string that is none of our keys: no step needed
          pendingKey = KEY_NONE;
          continue;
        }
      } else if (state == IN_USAGE && usageInString && !escaped) {
        i = indexOfStringEnd(bytes, i, to);
      } else if (state == IN_USAGE && !usageInString) {
        // inside the usage object, between its strings, only braces, quotes and newlines matter
        i = indexOfUsageStructure(bytes, i, to);
      }
      if (i == to) {
        break;
      }
      i = step(bytes, i, to);
    }
    previousByte = bytes[to - 1];
    if (state == IN_USAGE) {
      copyUsagePart(bytes, to);
    } else if (state == IN_MODEL) {
      copyModelPart(bytes, to);
    }
  }

  /** A quote that opens a string whose first letter may start a wanted key was just read. */
  private void startKeyCandidate() {
    state = IN_STRING;
    escaped = false;
    keyLength = 0;
    keyCandidate = true;
    keyMayBeUsage = true;
    keyMayBeModel = true;
  }

  /**
   * The index of the first quote in {@code bytes[i..to)} followed by {@code u} (or {@code m} when
   * {@code model} is wanted), or of a quote that is the last byte, or {@code to}. Two words are read per
   * step, the second one byte further on: a quote marked in the first and a letter marked at the same
   * place in the second is a candidate, checked byte by byte since a mark can be false (see ByteWords).
   */
  static int indexOfKeyStart(byte[] bytes, int i, int to, boolean model) {
    for (; i + Long.BYTES + 1 <= to; i += Long.BYTES) {
      long quotes = matches(word(bytes, i), QUOTES);
      if (quotes == 0) {
        continue;
      }
      long next = word(bytes, i + 1);
      long letters = model ? matches(next, LETTER_US) | matches(next, LETTER_MS) : matches(next, LETTER_US);
      long candidates = quotes & letters;
      while (candidates != 0) {
        int at = firstMarked(i, candidates);
        if (opensKey(bytes, at, model)) {
          return at;
        }
        candidates &= candidates - 1;
      }
    }
    for (; i < to; i++) {
      if (bytes[i] == '"' && (i + 1 == to || opensKey(bytes, i, model))) {
        return i;
      }
    }
    return to;
  }

  private static boolean opensKey(byte[] bytes, int quote, boolean model) {
    byte next = bytes[quote + 1];
    return bytes[quote] == '"' && (next == 'u' || model && next == 'm');
  }

  // The searches below read eight bytes at a time (see ByteWords), the tail byte by byte.

  /** The index of the first quote, backslash or newline in {@code bytes[i..to)}, or {@code to}. */
  static int indexOfStringEnd(byte[] bytes, int i, int to) {
    for (; i + Long.BYTES <= to; i += Long.BYTES) {
      long word = word(bytes, i);
      long marks = matches(word, QUOTES) | matches(word, BACKSLASHES) | matches(word, NEWLINES);
      if (marks != 0) {
        return firstMarked(i, marks);
      }
    }
    byte b;
    while (i < to && (b = bytes[i]) != '"' && b != '\\' && b != '\n') {
      i++;
    }
    return i;
  }

  /** The index of the first quote, brace or newline in {@code bytes[i..to)}, or {@code to}. */
  static int indexOfUsageStructure(byte[] bytes, int i, int to) {
    for (; i + Long.BYTES <= to; i += Long.BYTES) {
      long word = word(bytes, i);
      long marks = matches(word, QUOTES) | matches(word, OPEN_BRACES) | matches(word, CLOSE_BRACES)
          | matches(word, NEWLINES);
      if (marks != 0) {
        return firstMarked(i, marks);
      }
    }
    byte b;
    while (i < to && (b = bytes[i]) != '"' && b != '{' && b != '}' && b != '\n') {
      i++;
    }
    return i;
  }

  /**
   * The per-byte step of {@link #scan(ByteBuf)}: reads {@code bytes[i]}, and the rest of a usage object
   * that opens there if it closes before {@code to}. Returns the index of the last byte read.
   */
  private int step(byte[] bytes, int i, int to) {
    byte b = bytes[i];
    while (true) {
      switch (state) {
        case OUTSIDE:
          if (b == '"') {
            startKeyCandidate();
          }
          return i;
        case IN_STRING:
          inString(b);
          return i;
        case AFTER_KEY:
          if (b == ':') {
            state = BEFORE_VALUE;
            return i;
          }
          if (isSpace(b)) {
            return i;
          }
          state = OUTSIDE;
          continue; // not a key after all: look at this byte again
        case BEFORE_VALUE:
          if (isSpace(b)) {
            return i;
          }
          if (b == '{' && pendingKey == KEY_USAGE) {
            return startUsage(bytes, i, to);
          }
          if (b == '"' && pendingKey == KEY_MODEL && model == null) {
            state = IN_MODEL;
            escaped = false;
            modelLength = 0;
            modelCopied = 0;
            modelStart = i + 1;
            modelHasEscape = false;
            return i;
          }
          state = OUTSIDE;
          continue; // null, a number, an array or a string we do not want
        case IN_USAGE:
          inUsage(bytes, i);
          return i;
        case IN_MODEL:
          inModel(bytes, i);
          return i;
        default:
          throw new IllegalStateException("state: " + state);
      }
    }
  }

  private void inString(byte b) {
    if (b == '\n') {
      state = OUTSIDE; // a raw newline cannot be inside a JSON string: resynchronise
      return;
    }
    if (escaped) {
      escaped = false;
      keyCandidate = false;
      return;
    }
    if (b == '\\') {
      escaped = true;
      keyCandidate = false;
      return;
    }
    if (b == '"') {
      pendingKey = keyCandidate ? keyOf() : KEY_NONE;
      state = pendingKey == KEY_NONE ? OUTSIDE : AFTER_KEY;
      return;
    }
    if (keyCandidate) {
      if (keyLength == KEY_LENGTH) {
        keyCandidate = false;
        return;
      }
      keyMayBeUsage &= b == USAGE_KEY[keyLength];
      keyMayBeModel &= b == MODEL_KEY[keyLength];
      keyCandidate = keyMayBeUsage || keyMayBeModel;
      keyLength++;
    }
  }

  /** Which wanted key, if any, the {@link #KEY_LENGTH} bytes at {@code bytes[from]} spell. */
  private static int keyAt(byte[] bytes, int from) {
    byte first = bytes[from]; // most strings differ here: no comparison of the rest
    if (first == 'u') {
      return bytes[from + 1] == 's' && bytes[from + 2] == 'a' && bytes[from + 3] == 'g' && bytes[from + 4] == 'e'
          ? KEY_USAGE : KEY_NONE;
    }
    if (first == 'm') {
      return bytes[from + 1] == 'o' && bytes[from + 2] == 'd' && bytes[from + 3] == 'e' && bytes[from + 4] == 'l'
          ? KEY_MODEL : KEY_NONE;
    }
    return KEY_NONE;
  }

  private int keyOf() {
    if (keyLength != KEY_LENGTH) {
      return KEY_NONE;
    }
    return keyMayBeUsage ? KEY_USAGE : keyMayBeModel ? KEY_MODEL : KEY_NONE;
  }

  /**
   * A usage object opens at {@code bytes[start]}. If it is plain JSON that closes before {@code to} (a
   * JSON answer's usage nearly always does) it is read now, in one pass, and the index of its closing
   * brace is returned; otherwise it is followed byte by byte to its end, and then read.
   */
  private int startUsage(byte[] bytes, int start, int to) {
    UsageFields fields = FIELDS.get();
    int end = fields.readPlainObjectAt(bytes, start, to);
    // an event's usage object ends with its line: one with a line end in it is given up (see inUsage)
    if (end != PlainJson.UNDECIDED && !(sse && hasNewline(bytes, start, end))) {
      state = OUTSIDE;
      if (end - start <= MAX_USAGE_BYTES) {
        absorb(fields);
      }
      return end - 1;
    }
    state = IN_USAGE;
    usageStart = start;
    usageLength = 0;
    usageDepth = 1;
    usageInString = false;
    escaped = false;
    usageOverflow = false;
    return start;
  }

  private static boolean hasNewline(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] == '\n') {
        return true;
      }
    }
    return false;
  }

  private void inUsage(byte[] bytes, int i) {
    byte b = bytes[i];
    if (b == '\n' && (sse || usageInString)) {
      state = OUTSIDE; // the event (or the string) ended before the object did: give up on it
      return;
    }
    if (usageInString) {
      if (escaped) {
        escaped = false;
      } else if (b == '\\') {
        escaped = true;
      } else if (b == '"') {
        usageInString = false;
      }
      return;
    }
    if (b == '"') {
      usageInString = true;
    } else if (b == '{') {
      usageDepth++;
    } else if (b == '}' && --usageDepth == 0) {
      state = OUTSIDE;
      closeUsage(bytes, i + 1);
    }
  }

  /** The usage object ends just before {@code bytes[end]}: parses it unless it was too long. */
  private void closeUsage(byte[] bytes, int end) {
    if (usageOverflow || usageLength + end - usageStart > MAX_USAGE_BYTES) {
      return; // found its end, but the object is dropped
    }
    if (usageLength == 0) {
      mergeUsage(bytes, usageStart, end - usageStart);
      return;
    }
    copyUsagePart(bytes, end);
    mergeUsage(usageBytes, 0, usageLength);
  }

  /** Copies {@code bytes[usageStart, end)} after the part of the usage object copied so far. */
  private void copyUsagePart(byte[] bytes, int end) {
    int length = end - usageStart;
    if (usageOverflow || usageLength + length > MAX_USAGE_BYTES) {
      usageOverflow = true; // keep tracking depth to find the end, but drop the object
      return;
    }
    if (usageBytes == null) {
      // once per scanner, only when a usage object spans chunks; grows up to MAX_USAGE_BYTES if needed
      usageBytes = new byte[INITIAL_USAGE_BYTES];
    }
    if (usageLength + length > usageBytes.length) {
      int capacity = Math.max(usageLength + length, usageBytes.length * 2);
      usageBytes = Arrays.copyOf(usageBytes, Math.min(MAX_USAGE_BYTES, capacity));
    }
    System.arraycopy(bytes, usageStart, usageBytes, usageLength, length);
    usageLength += length;
    usageStart = end;
  }

  private void mergeUsage(byte[] bytes, int offset, int length) {
    UsageFields fields = FIELDS.get();
    if (fields.read(bytes, offset, length)) { // else not valid JSON after all: nothing to meter from it
      absorb(fields);
    }
  }

  /** Takes in the usage object just read into {@code fields}. */
  private void absorb(UsageFields fields) {
    if (dialect.additive()) {
      if (dialect == UsageDialect.REALTIME && fields.hasType) {
        return; // transcription usage, not a response's
      }
      scratch.clear();
      dialect.apply(fields, scratch);
      tally.add(scratch);
      increment.add(scratch);
    } else {
      dialect.apply(fields, tally);
    }
    sawUsage = true;
  }

  private void inModel(byte[] bytes, int i) {
    byte b = bytes[i];
    if (b == '\n') {
      state = OUTSIDE;
      return;
    }
    if (escaped) {
      escaped = false;
    } else if (b == '\\') {
      escaped = true;
      modelHasEscape = true;
    } else if (b == '"') {
      state = OUTSIDE;
      if (modelLength <= MAX_MODEL_BYTES) {
        model = closeModel(bytes, i);
      }
      return;
    }
    modelLength++; // past the limit it only counts, so the value is skipped when it closes
  }

  /** The model value ends just before {@code bytes[end]}: decodes it, in place if it can. */
  private String closeModel(byte[] bytes, int end) {
    if (modelCopied == 0) {
      return decodeModel(bytes, modelStart, modelLength);
    }
    copyModelPart(bytes, end);
    return decodeModel(modelBytes, 0, modelLength);
  }

  /** Copies {@code bytes[modelStart, end)} after the part of the model copied so far, within the limit. */
  private void copyModelPart(byte[] bytes, int end) {
    int length = end - modelStart;
    int needed = modelCopied + length;
    if (needed <= MAX_MODEL_BYTES) { // a longer model is skipped when it closes: no need to keep it
      if (modelBytes == null || modelBytes.length < needed) {
        // only when a model spans chunks; grows up to MAX_MODEL_BYTES if needed
        int grown = modelBytes == null ? INITIAL_MODEL_BYTES : 2 * modelBytes.length;
        int capacity = Math.min(MAX_MODEL_BYTES, Math.max(needed, grown));
        modelBytes = modelBytes == null ? new byte[capacity] : Arrays.copyOf(modelBytes, capacity);
      }
      System.arraycopy(bytes, modelStart, modelBytes, modelCopied, length);
    }
    modelCopied = needed;
    modelStart = end;
  }

  private String decodeModel(byte[] bytes, int offset, int length) {
    if (length == 0) {
      return "";
    }
    if (!modelHasEscape) {
      return MODELS.get().decode(bytes, offset, offset + length);
    }
    byte[] quoted = new byte[length + 2];
    quoted[0] = '"';
    System.arraycopy(bytes, offset, quoted, 1, length);
    quoted[length + 1] = '"';
    try (JsonParser parser = JSON.createParser(quoted)) {
      return parser.nextToken() == JsonToken.VALUE_STRING ? parser.getText() : null;
    } catch (IOException e) {
      return null;
    }
  }

  private boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\r' || (b == '\n' && !sse);
  }
}
