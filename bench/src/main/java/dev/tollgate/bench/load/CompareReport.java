package dev.tollgate.bench.load;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Renders the per-target sums of a compare run as a markdown table ({@code report.md}) and a latency percentile
 * plot ({@code latency.svg}) in a new timestamped folder. Immutable; used by the CLI thread.
 */
public final class CompareReport {

  public static final String REPORT_FILE = "report.md";
  public static final String PLOT_FILE = "latency.svg";
  private static final DateTimeFormatter FOLDER_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private final LoadConfig workload;
  /** The target every other is set against, round by round: nginx, the floor any proxy can hope for. */
  static final String REFERENCE = "nginx";

  private final int rounds;
  private final List<TargetStats> stats;

  public CompareReport(LoadConfig workload, int rounds, List<TargetStats> stats) {
    this.workload = requireNonNull(workload, "workload");
    this.rounds = rounds;
    this.stats = List.copyOf(stats);
  }

  /** Writes both files into {@code outDir/<timestamp>/} and returns that folder. */
  public Path writeTo(Path outDir) throws IOException {
    String stamp = FOLDER_TIME.format(Instant.now());
    Path folder = outDir.resolve(stamp);
    for (int i = 2; Files.exists(folder); i++) {
      folder = outDir.resolve(stamp + "-" + i);
    }
    Files.createDirectories(folder);
    Files.writeString(folder.resolve(REPORT_FILE), markdown());
    Files.writeString(folder.resolve(PLOT_FILE), new PercentileCurveSvg(stats).render());
    return folder;
  }

  /** The markdown report: workload, one row per target, and time to first byte for streams. */
  public String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# Tollgate bench compare\n\n");
    md.append(String.format(Locale.ROOT,
        "- workload: %s, %s, %d connections, %s measured × %d rounds per target, warmup %s, %s\n",
        workload.url().getPath(), workload.openLoop() ? "open loop at " + fmt(workload.ratePerSecond()) + " req/s"
            : "closed loop", workload.connections(), seconds(workload.duration()), rounds,
        seconds(workload.warmup()),
        workload.stream() ? "SSE" : "JSON"));
    md.append(String.format(Locale.ROOT, "- host: %d cpus, transport %s, at %s\n",
        Runtime.getRuntime().availableProcessors(), NativeTransport.get(), Instant.now()));
    md.append("- latency is charged from each request's intended send time (no coordinated omission); µs\n\n");
    Optional<TargetStats> direct = stats.stream().filter(s -> s.target().isDirect()).findFirst();
    md.append("| target | req/s | p50 | p90 | p99 | p99.9 | max | +p50 vs direct | +p99 vs direct | errors "
        + "| CPU µs/req | kernel % | RSS MiB |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (TargetStats s : stats) {
      LatencySummary l = s.latency();
      String addedP50 = direct.map(d -> signed(l.p50Micros() - d.latency().p50Micros())).orElse("–");
      String addedP99 = direct.map(d -> signed(l.p99Micros() - d.latency().p99Micros())).orElse("–");
      md.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %d | %d | %s | %s | %s | %s | %s | %s |\n",
          s.target().name(), fmt(s.throughputPerSecond()), l.p50Micros(), l.p90Micros(), l.p99Micros(),
          l.p999Micros(), l.maxMicros(), addedP50, addedP99, errors(s), orDash(s.cpuMicrosPerRequest()),
          orDash(s.kernelPercent()), orDash(s.rssMebibytes())));
    }
    cpuByRoundSection(md);
    if (workload.stream()) {
      md.append("\n## Time to first byte (SSE)\n\n| target | p50 | p90 | p99 | p99.9 | max |\n"
          + "|---|---:|---:|---:|---:|---:|\n");
      for (TargetStats s : stats) {
        LatencySummary f = s.firstByte();
        md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d |\n", s.target().name(),
            f.p50Micros(), f.p90Micros(), f.p99Micros(), f.p999Micros(), f.maxMicros()));
      }
    }
    if (workload.stamp()) {
      relayDelaySection(md, direct);
    }
    md.append("\n![latency percentiles](").append(PLOT_FILE).append(")\n");
    return md.toString();
  }

  /** CPU µs per request of each target in each round, when there is more than one round to compare. */
  private void cpuByRoundSection(StringBuilder md) {
    if (rounds < 2 || stats.stream().allMatch(s -> s.cpuMicrosPerRequestByRound().isEmpty())) {
      return;
    }
    md.append("\n## CPU µs per request, round by round\n\n| target |");
    for (int round = 1; round <= rounds; round++) {
      md.append(" round ").append(round).append(" |");
    }
    md.append("\n|---|").append("---:|".repeat(rounds)).append('\n');
    for (TargetStats s : stats) {
      List<Double> byRound = s.cpuMicrosPerRequestByRound();
      if (byRound.isEmpty()) {
        continue;
      }
      md.append("| ").append(s.target().name()).append(" |");
      for (double micros : byRound) {
        md.append(' ').append(orDash(micros)).append(" |");
      }
      md.append('\n');
    }
    ratiosToReference(md);
  }

  /**
   * Each target's CPU per request over {@link #REFERENCE}'s, round by round, and the median of those
   * ratios: the targets of a round ran side by side, so a slow phase of a shared machine, which moves
   * every target's figure, largely cancels out of a round's ratio.
   */
  private void ratiosToReference(StringBuilder md) {
    Optional<List<Double>> reference = stats.stream().filter(s -> s.target().name().equals(REFERENCE))
        .map(TargetStats::cpuMicrosPerRequestByRound).filter(r -> !r.isEmpty()).findFirst();
    if (reference.isEmpty()) {
      return;
    }
    md.append("\nOver ").append(REFERENCE).append("'s, round by round, and the median of the rounds:\n\n| target |");
    for (int round = 1; round <= rounds; round++) {
      md.append(" round ").append(round).append(" |");
    }
    md.append(" median |\n|---|").append("---:|".repeat(rounds + 1)).append('\n');
    for (TargetStats s : stats) {
      List<Double> byRound = s.cpuMicrosPerRequestByRound();
      if (byRound.isEmpty() || s.target().name().equals(REFERENCE)) {
        continue;
      }
      List<Double> ratios = ratios(byRound, reference.get());
      md.append("| ").append(s.target().name()).append(" |");
      for (double ratio : ratios) {
        md.append(' ').append(ratioOrDash(ratio)).append(" |");
      }
      md.append(' ').append(ratioOrDash(median(ratios))).append(" |\n");
    }
  }

  /** {@code values[i] / reference[i]} per round; NaN where either is unknown. */
  static List<Double> ratios(List<Double> values, List<Double> reference) {
    List<Double> out = new ArrayList<>(values.size());
    for (int i = 0; i < values.size(); i++) {
      double base = i < reference.size() ? reference.get(i) : Double.NaN;
      out.add(base > 0 ? values.get(i) / base : Double.NaN);
    }
    return out;
  }

  /** The median of the known values (the mean of the middle two for an even count); NaN if none is known. */
  static double median(List<Double> values) {
    double[] known = values.stream().mapToDouble(Double::doubleValue).filter(v -> !Double.isNaN(v)).sorted().toArray();
    if (known.length == 0) {
      return Double.NaN;
    }
    int mid = known.length / 2;
    return known.length % 2 == 1 ? known[mid] : (known[mid - 1] + known[mid]) / 2;
  }

  private static String ratioOrDash(double ratio) {
    return Double.isNaN(ratio) ? "–" : String.format(Locale.ROOT, "%.2f×", ratio);
  }

  /**
   * The first SSE byte's delay from the mock's send-time stamp to its arrival at the load generator. Direct is
   * the loopback and the client's read path alone, so a target's added p50 over direct is the relay's own delay.
   */
  private void relayDelaySection(StringBuilder md, Optional<TargetStats> direct) {
    md.append("\n## First SSE byte: relay delay after the upstream sent it\n\n");
    md.append("From the mock's `System.nanoTime()` stamp (an SSE comment written with the first event, after the "
        + "headers) to the first body byte's arrival at the load generator, one value per stream; the added p50 "
        + "over `direct` is the relay's own delay. µs\n\n");
    md.append("| target | streams | p50 | p90 | p99 | max | +p50 vs direct |\n|---|---:|---:|---:|---:|---:|---:|\n");
    Optional<LatencySummary> directDelay = direct.map(TargetStats::relayDelay).filter(d -> d.count() > 0);
    for (TargetStats s : stats) {
      LatencySummary r = s.relayDelay();
      if (r.count() == 0) {
        md.append(String.format(Locale.ROOT, "| %s | 0 | – | – | – | – | – |\n", s.target().name()));
        continue;
      }
      String added = directDelay.map(d -> signed(r.p50Micros() - d.p50Micros())).orElse("–");
      md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %s |\n", s.target().name(),
          r.count(), r.p50Micros(), r.p90Micros(), r.p99Micros(), r.maxMicros(), added));
    }
    if (stats.stream().anyMatch(s -> s.relayDelay().count() < s.requests())) {
      md.append("\nA stream without a stamp (a target that is not the bench mock, or a proxy that dropped the "
          + "comment) is not counted here.\n");
    }
  }

  private static String errors(TargetStats s) {
    if (s.errorCount() == 0) {
      return "0";
    }
    StringBuilder out = new StringBuilder().append(s.errorCount()).append(" (");
    String sep = "";
    for (ErrorKind kind : ErrorKind.values()) {
      long count = s.errors().getOrDefault(kind, 0L);
      if (count > 0) {
        out.append(sep).append(kind.name().toLowerCase(Locale.ROOT)).append(' ').append(count);
        sep = ", ";
      }
    }
    return out.append(')').toString();
  }

  private static String seconds(java.time.Duration duration) {
    return fmt(duration.toMillis() / 1000.0) + " s";
  }

  private static String signed(long micros) {
    return (micros >= 0 ? "+" : "") + micros;
  }

  private static String orDash(double value) {
    return Double.isNaN(value) ? "–" : fmt(value);
  }

  private static String fmt(double value) {
    return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.1f", value);
  }
}
