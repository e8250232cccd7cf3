package dev.tollgate.core.usage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.route.PlainJson;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes the usage-only event ({@code "choices":[]} with a usage object) from an OpenAI chat
 * completion stream when the gateway forced {@code stream_options.include_usage} on a client that did
 * not ask for it (PROTOCOLS.md §4). Every other byte goes to the client unchanged and in order. One
 * instance per response, confined to the client channel's event loop; runs after {@link UsageScanner}
 * has seen the chunk.
 *
 * <p>Events end at a blank line ({@code \n\n} or {@code \r\n\r\n}; a lone {@code \r} line end is not
 * recognised). Complete events are forwarded at once; only the incomplete event at the end of a chunk
 * is held until its end arrives, at most {@link #MAX_HELD_BYTES}: a longer event is forwarded as it
 * comes and never dropped. After the one usage event is dropped, everything passes through.
 *
 * <p>Ownership: {@link #filter} never releases {@code in}; the caller still owns it and releases it
 * as usual. Every buffer added to {@code out} carries its own reference (a retained slice, or
 * {@code in} retained) that the receiver of {@code out} releases, typically by writing it. Held
 * bytes are retained slices owned by this filter until they move to {@code out} or
 * {@link #releaseHeld()} releases them, which the owner calls when the stream ends early.
 */
public final class SseUsageChunkFilter {

  /** Largest incomplete event held back; a longer one is forwarded as it arrives and not filtered. */
  public static final int MAX_HELD_BYTES = 64 * 1024;

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final byte[] CHOICES_NAME = "choices".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DATA_FIELD = "data:".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] USAGE_NAME = "usage".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CHOICES = "\"choices\"".getBytes(StandardCharsets.US_ASCII);
  // after the key "choices": optional spaces, ':', optional spaces, '[', optional spaces, ']'
  private static final int AFTER_KEY = CHOICES.length;
  private static final int AFTER_COLON = AFTER_KEY + 1;
  private static final int AFTER_BRACKET = AFTER_KEY + 2;
  private static final int MATCHED = AFTER_KEY + 3;

  /**
   * Per event-loop thread: bytes are stepped from this array in a plain loop rather than through a
   * {@code ByteProcessor} call per byte (a call site every processor in the process shares). Small, since
   * the bytes after an event's end are copied again for the next event.
   */
  private static final FastThreadLocal<byte[]> BLOCK = new FastThreadLocal<>() {
    @Override
    protected byte[] initialValue() {
      return new byte[512];
    }
  };
  // retained slices of the current incomplete event, oldest first; released by releaseHeld() or
  // moved to out (and released by whoever consumes out)
  private final List<ByteBuf> held = new ArrayList<>(2);
  private int heldBytes;
  private boolean passingEvent;
  private boolean dropped;

  // boundary and pattern state, carried across chunks
  private int lineLength;
  private int matchPosition;
  private boolean emptyChoices;
  // what the plain reader saw of a candidate event's top-level members
  private boolean choicesEmpty;
  private boolean usageObject;

  /**
   * Appends to {@code out} what the client should receive of {@code in}'s readable bytes (possibly
   * nothing, when they are all held or dropped). Leaves {@code in}'s indexes and reference count as they
   * were; see the class comment for who releases what.
   */
  public void filter(ByteBuf in, List<Object> out) {
    if (!in.isReadable()) {
      return; // nothing to forward, and any held event stays held
    }
    int end = in.writerIndex();
    if (dropped) {
      addRetained(in, in.readerIndex(), end, out);
      return;
    }
    int forwardFrom = in.readerIndex(); // start of the bytes of in not yet sent to out
    int eventStart = forwardFrom;
    int position = forwardFrom;
    while (position < end) {
      int boundary = nextBoundary(in, position, end);
      if (boundary < 0) {
        break;
      }
      int eventEnd = boundary + 1;
      if (!passingEvent && emptyChoices && isUsageOnly(in, eventStart, eventEnd)) {
        // 1. send what precedes the usage event, 2. discard its held part and its bytes in this chunk
        addRetained(in, forwardFrom, eventStart, out);
        releaseHeld();
        forwardFrom = eventEnd;
        dropped = true;
        addRetained(in, forwardFrom, end, out); // the rest of the stream passes unfiltered
        return;
      }
      moveHeldTo(out); // the held start of this event precedes every byte of in
      passingEvent = false;
      emptyChoices = false;
      matchPosition = 0;
      eventStart = eventEnd;
      position = eventEnd;
    }
    // an incomplete event remains at [eventStart, end)
    int trailing = end - eventStart;
    if (trailing == 0 || passingEvent || heldBytes + trailing > MAX_HELD_BYTES) {
      moveHeldTo(out);
      addRetained(in, forwardFrom, end, out);
      passingEvent |= trailing > 0;
      return;
    }
    addRetained(in, forwardFrom, eventStart, out);
    // released by releaseHeld(), or by the receiver of out once the event completes
    ByteBuf part = in.retainedSlice(eventStart, trailing).touch("SseUsageChunkFilter held event");
    held.add(part);
    heldBytes += trailing;
  }

  /** Releases the held part of an incomplete event; call when the stream ends or aborts. Idempotent. */
  public void releaseHeld() {
    for (ByteBuf part : held) {
      part.release();
    }
    held.clear();
    heldBytes = 0;
  }

  /** Whether the usage event was found and dropped. */
  public boolean droppedUsageEvent() {
    return dropped;
  }

  private void moveHeldTo(List<Object> out) {
    out.addAll(held); // ownership moves to the receiver of out
    held.clear();
    heldBytes = 0;
  }

  private static void addRetained(ByteBuf in, int from, int to, List<Object> out) {
    if (from >= to) {
      return;
    }
    if (from == in.readerIndex() && to == in.writerIndex()) {
      out.add(in.retain()); // released by the receiver of out
    } else {
      out.add(in.retainedSlice(from, to - from)); // released by the receiver of out
    }
  }

  /**
   * Confirms what the byte pattern suggested: an empty choices array and a usage object. Plain JSON is
   * read in place ({@link PlainJson}); anything else by Jackson, as a tree (a later duplicate key wins
   * in both).
   */
  private boolean isUsageOnly(ByteBuf in, int eventStart, int eventEnd) {
    byte[] event = new byte[heldBytes + eventEnd - eventStart]; // once per candidate event
    int offset = 0;
    for (ByteBuf part : held) {
      part.getBytes(part.readerIndex(), event, offset, part.readableBytes());
      offset += part.readableBytes();
    }
    in.getBytes(eventStart, event, offset, eventEnd - eventStart);
    int json = indexOf(event, (byte) '{');
    if (json < 0 || !startsWithData(event)) {
      return false;
    }
    choicesEmpty = false;
    usageObject = false;
    if (readTopLevel(event, json + 1, event.length) != PlainJson.UNDECIDED) {
      return choicesEmpty && usageObject;
    }
    try {
      JsonNode node = MAPPER.readTree(event, json, event.length - json);
      return node != null && node.path("choices").isArray() && node.path("choices").isEmpty()
          && node.path("usage").isObject();
    } catch (IOException e) {
      return false;
    }
  }

  /** Notes the event's {@code choices} and {@code usage} from its object, opened before {@code i}; the index after it. */
  private int readTopLevel(byte[] b, int i, int to) {
    int at = PlainJson.firstMember(b, i, to);
    while (at >= 0) {
      int nameTo = PlainJson.plainStringEnd(b, at + 1, to);
      int valueAt = PlainJson.valueAfterName(b, nameTo, to);
      int end = valueAt == PlainJson.UNDECIDED ? valueAt : PlainJson.valueEnd(b, valueAt, to, 1);
      if (end != PlainJson.UNDECIDED && PlainJson.is(b, at + 1, nameTo, CHOICES_NAME)) {
        choicesEmpty = b[valueAt] == '[' && PlainJson.skipSpace(b, valueAt + 1, to) == end - 1;
      } else if (end != PlainJson.UNDECIDED && PlainJson.is(b, at + 1, nameTo, USAGE_NAME)) {
        usageObject = b[valueAt] == '{';
      }
      at = PlainJson.nextMember(b, end, to);
    }
    return PlainJson.objectEnd(at);
  }

  private static boolean startsWithData(byte[] event) {
    if (event.length < DATA_FIELD.length) {
      return false;
    }
    for (int i = 0; i < DATA_FIELD.length; i++) {
      if (event[i] != DATA_FIELD[i]) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] bytes, byte wanted) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == wanted) {
        return i;
      }
    }
    return -1;
  }

  /** Stops (returns false) on the {@code \n} that ends an event; tracks the choices pattern. */
  /**
   * The index of the byte that ends the next event in {@code in[from, end)} (the newline of its blank
   * line), or -1; every byte up to it goes through {@link #step}.
   */
  private int nextBoundary(ByteBuf in, int from, int end) {
    byte[] block = BLOCK.get();
    while (from < end) {
      int n = Math.min(block.length, end - from);
      in.getBytes(from, block, 0, n);
      for (int k = 0; k < n; k++) {
        if (!step(block[k])) {
          return from + k;
        }
      }
      from += n;
    }
    return -1;
  }

  private boolean step(byte b) {
    if (!emptyChoices) {
      matchChoices(b);
    }
    if (b == '\r') {
      return true;
    }
    if (b != '\n') {
      lineLength++;
      return true;
    }
    boolean blankLine = lineLength == 0;
    lineLength = 0;
    return !blankLine;
  }

  private void matchChoices(byte b) {
    if (matchPosition < AFTER_KEY) {
      if (b == CHOICES[matchPosition]) {
        matchPosition++;
      } else {
        matchPosition = b == CHOICES[0] ? 1 : 0;
      }
      return;
    }
    if (b == ' ' || b == '\t') {
      return;
    }
    byte expected = matchPosition == AFTER_KEY ? (byte) ':'
        : matchPosition == AFTER_COLON ? (byte) '[' : (byte) ']';
    if (b == expected) {
      matchPosition++;
      emptyChoices = matchPosition == MATCHED;
    } else {
      matchPosition = b == CHOICES[0] ? 1 : 0;
    }
  }
}
