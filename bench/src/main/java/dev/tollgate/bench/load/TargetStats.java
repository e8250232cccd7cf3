package dev.tollgate.bench.load;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The sum of every round run against one {@link CompareTarget}: latency histograms (last byte, first byte, and
 * the first byte's relay delay for stamped streams), requests, measured time, errors, and the target process's
 * CPU ticks spent during those rounds. Mutated by the compare thread only.
 */
public final class TargetStats {

  private final CompareTarget target;
  private final Histogram latencyMicros = new Histogram(3);
  private final Histogram firstByteMicros = new Histogram(3);
  private final Histogram relayDelayMicros = new Histogram(3);
  private final Map<ErrorKind, Long> errors = new EnumMap<>(ErrorKind.class);
  private long requests;
  private double measuredSeconds;
  private boolean processKnown = true;
  private long cpuTicks;
  private long systemTicks;
  private final List<Double> cpuMicrosPerRequestByRound = new ArrayList<>();
  private long maxRssKibibytes;

  TargetStats(CompareTarget target) {
    this.target = target;
  }

  void add(LoadResult round, ProcessSample before, ProcessSample after) {
    latencyMicros.add(round.latencyMicros());
    firstByteMicros.add(round.firstByteMicros());
    relayDelayMicros.add(round.relayDelayMicros());
    round.errors().forEach((kind, count) -> errors.merge(kind, count, Long::sum));
    requests += round.requests();
    measuredSeconds += round.measuredSeconds();
    if (before.known() && after.known()) {
      long roundTicks = after.cpuTicks() - before.cpuTicks();
      cpuTicks += roundTicks;
      systemTicks += after.systemTicks() - before.systemTicks();
      cpuMicrosPerRequestByRound.add(round.requests() == 0 ? Double.NaN
          : ProcessSample.ticksToMicros(roundTicks) / round.requests());
      maxRssKibibytes = Math.max(maxRssKibibytes, after.rssKibibytes());
    } else {
      processKnown = false;
    }
  }

  public CompareTarget target() {
    return target;
  }

  public long requests() {
    return requests;
  }

  public double throughputPerSecond() {
    return measuredSeconds > 0 ? requests / measuredSeconds : 0;
  }

  public LatencySummary latency() {
    return LatencySummary.of(latencyMicros);
  }

  public LatencySummary firstByte() {
    return LatencySummary.of(firstByteMicros);
  }

  /** The first SSE byte's delay after the upstream sent it (stamped streams); count 0 without stamps. */
  public LatencySummary relayDelay() {
    return LatencySummary.of(relayDelayMicros);
  }

  Histogram latencyMicros() {
    return latencyMicros;
  }

  public long errorCount() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  public Map<ErrorKind, Long> errors() {
    return Map.copyOf(errors);
  }

  /** CPU time of the target process per successful request, in µs; NaN without a pid. */
  public double cpuMicrosPerRequest() {
    if (target.pid() == 0 || !processKnown || requests == 0) {
      return Double.NaN;
    }
    return ProcessSample.ticksToMicros(cpuTicks) / requests;
  }

  /**
   * CPU time of the target process per successful request in each round, in µs, in round order; empty
   * without a pid. The spread between rounds shows how far one run's figure can be trusted.
   */
  public List<Double> cpuMicrosPerRequestByRound() {
    return target.pid() == 0 || !processKnown ? List.of() : List.copyOf(cpuMicrosPerRequestByRound);
  }

  /** The kernel's share of the target process's CPU time, in percent; NaN without a pid or CPU time. */
  public double kernelPercent() {
    if (target.pid() == 0 || !processKnown || cpuTicks == 0) {
      return Double.NaN;
    }
    return 100.0 * systemTicks / cpuTicks;
  }

  /** The largest resident set seen after a round, in MiB; NaN without a pid. */
  public double rssMebibytes() {
    if (target.pid() == 0 || !processKnown) {
      return Double.NaN;
    }
    return maxRssKibibytes / 1024.0;
  }
}
