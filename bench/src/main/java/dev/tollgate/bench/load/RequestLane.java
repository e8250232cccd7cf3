package dev.tollgate.bench.load;

import java.util.function.LongSupplier;

/**
 * Decides when one keep-alive connection sends its next request and from which instant that request's latency
 * is charged. Open loop: the intended time from the {@link OpenLoopSchedule}, even when the connection was busy
 * and the request waited (no coordinated omission). Closed loop: the send time, until the end. Confined to the
 * connection's event loop; the clock is injected so tests can run it without a network.
 */
final class RequestLane {

  static final long NONE = -1;

  private final OpenLoopSchedule schedule;
  private final LongSupplier nanoClock;
  private final long endNanos;
  private boolean busy;

  /** An open-loop lane when {@code schedule} is non-null, else a closed-loop lane sending until {@code endNanos}. */
  RequestLane(OpenLoopSchedule schedule, LongSupplier nanoClock, long endNanos) {
    this.schedule = schedule;
    this.nanoClock = nanoClock;
    this.endNanos = endNanos;
  }

  /**
   * If the connection is idle and a request is due, marks it busy and returns the instant its latency counts
   * from; else {@link #NONE}.
   */
  long nextToSend() {
    if (busy) {
      return NONE;
    }
    long now = nanoClock.getAsLong();
    long intended = schedule != null ? schedule.takeDue(now) : (now < endNanos ? now : NONE);
    if (intended != NONE) {
      busy = true;
    }
    return intended;
  }

  /** The response (or failure) of the request in flight arrived. */
  void completed() {
    busy = false;
  }

  boolean openLoop() {
    return schedule != null;
  }

  boolean busy() {
    return busy;
  }

  /** When to look again for a due request if idle: the next intended time, or {@link Long#MAX_VALUE} if none. */
  long wakeAtNanos() {
    if (schedule == null) {
      return nanoClock.getAsLong() < endNanos ? nanoClock.getAsLong() : Long.MAX_VALUE;
    }
    return schedule.nextIntendedNanos();
  }

  /** True when no further request will be sent and none is in flight. */
  boolean finished() {
    return !busy && wakeAtNanos() == Long.MAX_VALUE;
  }
}
