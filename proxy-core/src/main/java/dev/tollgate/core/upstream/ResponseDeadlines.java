package dev.tollgate.core.upstream;

import dev.tollgate.core.clock.CoarseClock;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The exchanges of one event loop waiting on their provider under one timeout, oldest first: for a
 * response head (the response timeout), or, while a body streams, for its next bytes (the idle timeout,
 * started again after every read). All of them wait equally long, so the order they were armed in is
 * the order their deadlines fall in: an exchange joins at the end and leaves from wherever it is (a
 * linked list through the exchanges themselves), and one timer, set for the oldest deadline, serves the
 * whole list. Arming and disarming allocate nothing, touch no timer queue and read no clock; a
 * per-request timer cost a task object and two heap operations of the loop's scheduler, and Netty's
 * idle stage a clock read per read and a pipeline stage more. An exchange waits in one list at a time.
 * Event-loop confined.
 */
final class ResponseDeadlines {

  /** Something that waits in a list: its links and deadline live in it. */
  abstract static class Waiter {
    private Waiter previous;
    private Waiter next;
    private ResponseDeadlines list;
    private long deadlineNanos;

    /** Called on the loop once the deadline has passed while still armed (the waiter is disarmed first). */
    abstract void deadlinePassed();
  }

  /** Per event-loop thread: one list per distinct timeout (there are a few: one per provider at most). */
  private static final FastThreadLocal<ResponseDeadlines[]> LISTS = new FastThreadLocal<>() {
    @Override
    protected ResponseDeadlines[] initialValue() {
      return new ResponseDeadlines[0];
    }
  };

  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(CoarseClock.TICK_MILLIS);

  private final EventExecutor loop;
  private final long timeoutNanos;
  private Waiter oldest;
  private Waiter newest;
  private boolean timerSet;

  private ResponseDeadlines(EventExecutor loop, long timeoutNanos) {
    this.loop = loop;
    this.timeoutNanos = timeoutNanos;
  }

  /** The list of {@code loop} (the calling thread's) for {@code timeoutMillis}. */
  static ResponseDeadlines of(EventExecutor loop, long timeoutMillis) {
    long nanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    ResponseDeadlines[] lists = LISTS.get();
    for (ResponseDeadlines list : lists) {
      if (list.timeoutNanos == nanos && list.loop == loop) {
        return list;
      }
    }
    ResponseDeadlines made = new ResponseDeadlines(loop, nanos);
    ResponseDeadlines[] grown = Arrays.copyOf(lists, lists.length + 1);
    grown[lists.length] = made;
    LISTS.set(grown);
    return made;
  }

  /**
   * Starts {@code waiter}'s wait (disarming it first if it waits already). The deadline counts from the
   * coarse clock's time plus one tick, not from a clock read: it passes no sooner than the timeout
   * after now, and at most a tick later, which a timeout of seconds does not notice.
   */
  void arm(Waiter waiter) {
    disarm(waiter);
    waiter.deadlineNanos = CoarseClock.nanoTime() + TICK_NANOS + timeoutNanos;
    waiter.list = this;
    waiter.previous = newest;
    if (newest != null) {
      newest.next = waiter;
    } else {
      oldest = waiter;
    }
    newest = waiter;
    if (!timerSet) {
      setTimer(waiter.deadlineNanos);
    }
  }

  /** Ends {@code waiter}'s wait, if it waits in any list. */
  static void disarm(Waiter waiter) {
    ResponseDeadlines list = waiter.list;
    if (list == null) {
      return;
    }
    if (waiter.previous != null) {
      waiter.previous.next = waiter.next;
    } else {
      list.oldest = waiter.next;
    }
    if (waiter.next != null) {
      waiter.next.previous = waiter.previous;
    } else {
      list.newest = waiter.previous;
    }
    waiter.previous = null;
    waiter.next = null;
    waiter.list = null;
  }

  private void setTimer(long deadlineNanos) {
    timerSet = true;
    loop.schedule(this::expire, Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  /** Tells every waiter whose deadline has passed, oldest first; sets the timer for the next deadline. */
  private void expire() {
    timerSet = false;
    long now = System.nanoTime();
    Waiter due;
    while ((due = oldest) != null && due.deadlineNanos - now <= 0) {
      disarm(due);
      due.deadlinePassed();
    }
    if (oldest != null && !timerSet) {
      setTimer(oldest.deadlineNanos);
    }
  }
}
