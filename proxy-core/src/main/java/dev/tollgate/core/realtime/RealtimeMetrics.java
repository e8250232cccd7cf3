package dev.tollgate.core.realtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The realtime meters: sessions opened and how they ended, their duration, frames relayed, TURN
 * credential outcomes, and the clients' ICE reports (share of sessions that needed TURN, relay
 * seconds). Thread-safe; shared by every channel.
 */
public final class RealtimeMetrics {

  private final MeterRegistry registry;
  private final Timer sessionDuration;
  private final Counter framesFromClient;
  private final Counter framesFromUpstream;
  private final Counter iceNeededTurn;
  private final Counter iceDirect;
  private final DistributionSummary relaySeconds;
  private final AtomicInteger openSessions = new AtomicInteger();

  public RealtimeMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.sessionDuration = Timer.builder("tollgate_realtime_session_duration")
        .description("Realtime WebSocket sessions, from upgrade to close").register(registry);
    this.framesFromClient = Counter.builder("tollgate_realtime_frames").tag("from", "client").register(registry);
    this.framesFromUpstream = Counter.builder("tollgate_realtime_frames").tag("from", "upstream").register(registry);
    this.iceNeededTurn = Counter.builder("tollgate_ice_reports").tag("needed_turn", "true").register(registry);
    this.iceDirect = Counter.builder("tollgate_ice_reports").tag("needed_turn", "false").register(registry);
    this.relaySeconds = DistributionSummary.builder("tollgate_ice_relay_seconds")
        .description("Seconds of TURN relay reported by realtime clients").register(registry);
    Gauge.builder("tollgate_ice_turn_share", this, m -> m.turnShare())
        .description("Share of reported sessions that needed TURN (0..1)").register(registry);
    Gauge.builder("tollgate_realtime_sessions_open", openSessions, AtomicInteger::get).register(registry);
  }

  /** A session's upgrade completed; {@link #sessionEnded} follows exactly once. */
  void sessionStarted() {
    openSessions.incrementAndGet();
  }

  void sessionEnded(String reason, long durationNanos) {
    openSessions.decrementAndGet();
    sessionDuration.record(Duration.ofNanos(durationNanos));
    Counter.builder("tollgate_realtime_sessions").tag("end", reason).register(registry).increment();
  }

  /** A session that never started: the upstream was unreachable, refused or too slow. */
  void sessionRefused(String reason) {
    Counter.builder("tollgate_realtime_sessions").tag("end", reason).register(registry).increment();
  }

  void frameFromClient() {
    framesFromClient.increment();
  }

  void frameFromUpstream() {
    framesFromUpstream.increment();
  }

  /** {@code outcome}: issued, rate_limited, plan_refused, unavailable, failed. */
  void turnCredentials(String outcome) {
    Counter.builder("tollgate_turn_credentials").tag("outcome", outcome).register(registry).increment();
  }

  void iceReport(boolean neededTurn, String candidateType, double relaySecondsReported) {
    (neededTurn ? iceNeededTurn : iceDirect).increment();
    Counter.builder("tollgate_ice_candidates").tag("type", candidateType).register(registry).increment();
    if (relaySecondsReported > 0) {
      relaySeconds.record(relaySecondsReported);
    }
  }

  /** Open realtime sessions on this node. */
  public int openSessions() {
    return openSessions.get();
  }

  double turnShare() {
    double turn = iceNeededTurn.count();
    double all = turn + iceDirect.count();
    return all == 0 ? 0 : turn / all;
  }
}
