package dev.tollgate.bench.load;

import io.netty.buffer.ByteBuf;

/**
 * Reads the send-time stamp that leads a stamped SSE body ({@code : t=<nanos>} then a line end, as the mock
 * writes it) from the first body bytes of one response, however they are split across reads. Anything else at
 * the start of the body means no stamp. One instance per connection, reset per request; runs on the
 * connection's event loop.
 */
final class SseStampParser {

  /** What {@link #stampNanos} returns when the body did not start with a well-formed stamp. */
  static final long NONE = Long.MIN_VALUE;

  private static final byte[] PREFIX = {':', ' ', 't', '='};

  private int matched; // bytes of PREFIX seen
  private boolean negative;
  private int digits;
  private long value;
  private boolean done;
  private long stampNanos = NONE;

  /** Forgets the previous body. */
  void reset() {
    matched = 0;
    negative = false;
    digits = 0;
    value = 0;
    done = false;
    stampNanos = NONE;
  }

  /** Reads {@code content}'s readable bytes (indexes untouched) until the stamp is found or ruled out. */
  void feed(ByteBuf content) {
    int end = content.writerIndex();
    for (int i = content.readerIndex(); i < end && !done; i++) {
      step(content.getByte(i));
    }
  }

  /** True once the stamp was found or ruled out: later bytes need not be fed. */
  boolean done() {
    return done;
  }

  /** The stamp, or {@link #NONE} if there is none (or not yet). */
  long stampNanos() {
    return stampNanos;
  }

  private void step(byte b) {
    if (matched < PREFIX.length) {
      if (b != PREFIX[matched]) {
        done = true;
        return;
      }
      matched++;
      return;
    }
    if (b == '-' && digits == 0 && !negative) {
      negative = true;
      return;
    }
    if (b >= '0' && b <= '9') {
      int digit = b - '0';
      if (value > (Long.MAX_VALUE - digit) / 10) {
        done = true; // beyond a long: not a nanoTime
        return;
      }
      value = value * 10 + digit;
      digits++;
      return;
    }
    done = true;
    if ((b == '\n' || b == '\r') && digits > 0) {
      stampNanos = negative ? -value : value;
    }
  }
}
