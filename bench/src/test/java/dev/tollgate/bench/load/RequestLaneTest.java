package dev.tollgate.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class RequestLaneTest {

  private static final long MS = 1_000_000L;

  private final AtomicLong clock = new AtomicLong();

  @Test
  void chargesARequestThatStartsLateFromItsIntendedTime() {
    RequestLane lane = openLoopLane(1000, 100 * MS);
    LatencyRecorder recorder = new LatencyRecorder(clock::get, 0);

    assertThat(lane.nextToSend()).isEqualTo(0);
    // the first response takes 5 ms, so the requests intended at 1..4 ms wait for the connection
    clock.set(5 * MS);
    recorder.recordSuccess(0, 5 * MS);
    lane.completed();
    assertThat(lane.nextToSend()).isEqualTo(1 * MS);
    clock.set(6 * MS);
    recorder.recordSuccess(1 * MS, 6 * MS);
    lane.completed();

    Histogram latency = recorder.total();
    assertThat(latency.getTotalCount()).isEqualTo(2);
    assertThat(latency.getMinValue()).isEqualTo(latency.lowestEquivalentValue(5_000));
    assertThat(latency.getMaxValue()).isEqualTo(latency.highestEquivalentValue(5_000));
  }

  @Test
  void sendsNothingWhileARequestIsInFlight() {
    RequestLane lane = openLoopLane(1000, 100 * MS);

    assertThat(lane.nextToSend()).isEqualTo(0);
    clock.set(3 * MS);

    assertThat(lane.nextToSend()).isEqualTo(RequestLane.NONE);
    assertThat(lane.busy()).isTrue();
  }

  @Test
  void wakesAtTheNextIntendedTimeWhenIdle() {
    RequestLane lane = openLoopLane(1000, 100 * MS);
    lane.nextToSend();
    clock.set(MS / 2);
    lane.completed();

    assertThat(lane.nextToSend()).isEqualTo(RequestLane.NONE);
    assertThat(lane.wakeAtNanos()).isEqualTo(1 * MS);
  }

  @Test
  void sendsQueuedRequestsAfterTheEndButNoNewOnes() {
    RequestLane lane = openLoopLane(1000, 2 * MS);
    lane.nextToSend();
    clock.set(10 * MS);
    lane.completed();

    assertThat(lane.nextToSend()).isEqualTo(1 * MS);
    lane.completed();
    assertThat(lane.nextToSend()).isEqualTo(RequestLane.NONE);
    assertThat(lane.finished()).isTrue();
  }

  @Test
  void chargesAClosedLoopRequestFromItsSendTimeUntilTheEnd() {
    RequestLane lane = new RequestLane(null, clock::get, 10 * MS);
    clock.set(3 * MS);

    assertThat(lane.nextToSend()).isEqualTo(3 * MS);
    clock.set(10 * MS);
    lane.completed();

    assertThat(lane.nextToSend()).isEqualTo(RequestLane.NONE);
    assertThat(lane.finished()).isTrue();
  }

  private RequestLane openLoopLane(double ratePerSecond, long endNanos) {
    return new RequestLane(new OpenLoopSchedule(ratePerSecond, 0, endNanos, 0, 1), clock::get, endNanos);
  }
}
