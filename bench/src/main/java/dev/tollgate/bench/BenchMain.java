package dev.tollgate.bench;

import dev.tollgate.bench.load.CompareReport;
import dev.tollgate.bench.load.CompareRunner;
import dev.tollgate.bench.load.CompareTarget;
import dev.tollgate.bench.load.LatencySummary;
import dev.tollgate.bench.load.LoadConfig;
import dev.tollgate.bench.load.LoadGenerator;
import dev.tollgate.bench.load.LoadResult;
import dev.tollgate.bench.load.TargetStats;
import dev.tollgate.bench.mock.MockUpstream;
import dev.tollgate.bench.realtime.RealtimeLoad;
import dev.tollgate.bench.realtime.RealtimeLoadConfig;
import dev.tollgate.bench.realtime.RealtimeLoadResult;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code bench} command line: {@code mock} runs the mock upstream, {@code load} loads one URL, {@code compare}
 * loads several targets interleaved and writes a report, {@code realtime} loads a realtime WebSocket endpoint.
 * Runs on the main thread.
 */
public final class BenchMain {

  static final String DEFAULT_PATH = "/v1/chat/completions";
  private static final Set<String> WORKLOAD_OPTIONS = Set.of("rate", "connections", "duration", "warmup",
      "timeout", "stream", "stamp", "header", "body", "body-file", "path", "quiet");
  private static final String USAGE = """
      usage:
        bench mock    --port P [--chunks N] [--chunk-delay-ms D] [--threads T]
        bench load    --url URL [--rate R | --connections C] [--duration 10s] [--warmup 2s] [--stream]
                      [--header 'Name: value']... [--body JSON | --body-file F] [--path /v1/...] [--timeout 10s]
                      [--stamp 1|0]   (streams: the mock's send-time stamp, relay delay of the first byte; load: 0)
        bench compare --target name=URL[,pid=PID]... [--rounds K] [--out results] + the load options
                      (compare --stream stamps by default: --stamp 0 turns it off)
        bench realtime --url ws://host:port/v1/realtime?model=M [--sessions 16] [--in-flight 4]
                      [--frame-bytes 64] [--threads 1] [--duration 5s] [--warmup 1s] [--timeout 10s]
                      [--header 'Name: value']...   (frames/s and round trip of echoed text frames)
      """;

  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    quietLogging();
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
      System.out.print(USAGE);
      return;
    }
    try {
      CommandLine cli = new CommandLine(Arrays.asList(args).subList(1, args.length));
      switch (args[0]) {
        case "mock" -> mock(cli);
        case "load" -> load(cli);
        case "compare" -> System.out.println(compare(cli, System.err));
        case "realtime" -> System.out.println(realtime(cli, cli.flag("quiet") ? null : System.err));
        default -> throw new IllegalArgumentException(
            "command: " + args[0] + " (expected: mock, load, compare, realtime)");
      }
    } catch (IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage());
      System.err.print(USAGE);
      System.exit(2);
    }
  }

  /** Runs {@code bench compare} and returns the folder holding report.md and latency.svg. */
  static Path compare(CommandLine cli, PrintStream progress) throws InterruptedException, IOException {
    Set<String> known = new java.util.HashSet<>(WORKLOAD_OPTIONS);
    known.addAll(Set.of("target", "rounds", "out"));
    cli.rejectUnknown(known);
    List<CompareTarget> targets = cli.all("target").stream().map(CompareTarget::parse)
        .map(t -> new CompareTarget(t.name(), withPath(t.url(), cli), t.pid())).toList();
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("--target: none (expected: name=URL[,pid=PID], repeatable)");
    }
    // every compare has the mock as its upstream: its streams carry the stamp unless told otherwise
    LoadConfig workload = workload(cli, targets.get(0).url(), true);
    int rounds = cli.integer("rounds", 3);
    PrintStream out = cli.flag("quiet") ? null : progress;
    List<TargetStats> stats = new CompareRunner(workload, targets, rounds, out).run();
    CompareReport report = new CompareReport(workload, rounds, stats);
    Path folder = report.writeTo(Path.of(cli.string("out", "results")));
    if (progress != null) {
      progress.print(report.markdown());
    }
    return folder.resolve(CompareReport.REPORT_FILE);
  }

  /** Runs {@code bench realtime} and returns its two summary lines. */
  static String realtime(CommandLine cli, PrintStream progress) throws InterruptedException {
    cli.rejectUnknown(Set.of("url", "sessions", "in-flight", "frame-bytes", "threads", "duration", "warmup",
        "timeout", "header", "quiet"));
    String url = cli.string("url", null);
    if (url == null) {
      throw new IllegalArgumentException("--url: missing (expected: ws://host:port/v1/realtime?model=...)");
    }
    RealtimeLoadConfig config = new RealtimeLoadConfig(URI.create(url), headers(cli), cli.integer("sessions", 16),
        cli.integer("in-flight", 4), cli.integer("frame-bytes", 64), cli.integer("threads", 1),
        cli.duration("duration", Duration.ofSeconds(5)), cli.duration("warmup", Duration.ofSeconds(1)),
        cli.duration("timeout", Duration.ofSeconds(10)));
    RealtimeLoadResult result = new RealtimeLoad(config, progress).run();
    LatencySummary rtt = result.roundTrip();
    return String.format(Locale.ROOT, "realtime %s: %.0f frames/s, %d frames in %.1f s, %d of %d sessions, "
        + "%d in flight each, errors %d %s%n", config.url(), result.framesPerSecond(), result.frames(),
        result.seconds(), result.sessionsOpen(), config.sessions(), config.inFlight(), result.errorCount(),
        result.errors().isEmpty() ? "" : result.errors())
        + String.format(Locale.ROOT, "round trip µs: p50 %d  p90 %d  p99 %d  p99.9 %d  max %d  mean %.0f",
        rtt.p50Micros(), rtt.p90Micros(), rtt.p99Micros(), rtt.p999Micros(), rtt.maxMicros(), rtt.meanMicros());
  }

  private static void load(CommandLine cli) throws InterruptedException, IOException {
    Set<String> known = new java.util.HashSet<>(WORKLOAD_OPTIONS);
    known.add("url");
    cli.rejectUnknown(known);
    String url = cli.string("url", null);
    if (url == null) {
      throw new IllegalArgumentException("--url: missing (expected: http://host:port/path)");
    }
    LoadConfig config = workload(cli, withPath(URI.create(url), cli), false);
    LoadResult result = new LoadGenerator(config, System::nanoTime, cli.flag("quiet") ? null : System.err).run();
    LatencySummary l = result.latency();
    Map<String, Long> errors = new java.util.TreeMap<>();
    result.errors().forEach((kind, count) -> {
      if (count > 0) {
        errors.put(kind.name().toLowerCase(Locale.ROOT), count);
      }
    });
    System.out.printf(Locale.ROOT, "%s %s: %.0f req/s, %d ok, errors %d %s%n", config.openLoop()
        ? "open loop" : "closed loop", config.url(), result.throughputPerSecond(), result.requests(),
        result.errorCount(), errors.isEmpty() ? "" : errors);
    System.out.printf(Locale.ROOT, "latency µs: p50 %d  p90 %d  p99 %d  p99.9 %d  max %d  mean %.0f%n",
        l.p50Micros(), l.p90Micros(), l.p99Micros(), l.p999Micros(), l.maxMicros(), l.meanMicros());
    if (config.stream()) {
      LatencySummary f = result.firstByte();
      System.out.printf(Locale.ROOT, "first byte µs: p50 %d  p90 %d  p99 %d  p99.9 %d  max %d%n",
          f.p50Micros(), f.p90Micros(), f.p99Micros(), f.p999Micros(), f.maxMicros());
    }
    if (config.stamp()) {
      LatencySummary r = result.relayDelay();
      System.out.printf(Locale.ROOT,
          "relay delay of the first byte after the upstream sent it µs: p50 %d  p90 %d  p99 %d  max %d  "
              + "(%d of %d streams stamped)%n",
          r.p50Micros(), r.p90Micros(), r.p99Micros(), r.maxMicros(), r.count(), result.requests());
    }
  }

  private static void mock(CommandLine cli) throws InterruptedException {
    cli.rejectUnknown(Set.of("port", "chunks", "chunk-delay-ms", "threads"));
    MockUpstream mock = new MockUpstream(cli.integer("chunks", 8), cli.integer("chunk-delay-ms", 0),
        cli.integer("threads", 1));
    int port = mock.start(cli.integer("port", 8081));
    Runtime.getRuntime().addShutdownHook(new Thread(mock::close, "mock-shutdown"));
    System.err.println("mock upstream listening on 127.0.0.1:" + port);
    Thread.currentThread().join();
  }

  private static LoadConfig workload(CommandLine cli, URI url, boolean stampByDefault) throws IOException {
    boolean stream = cli.flag("stream");
    boolean stamp = stream && stampByDefault;
    String stampOption = cli.string("stamp", null);
    if (stampOption != null) {
      stamp = switch (stampOption.trim()) {
        case "1", "true", "on" -> true;
        case "0", "false", "off" -> false;
        default -> throw new IllegalArgumentException("--stamp: " + stampOption + " (expected: 1 or 0)");
      };
      if (stamp && !stream) {
        throw new IllegalArgumentException("--stamp: 1 (expected: only with --stream)");
      }
    }
    byte[] body;
    if (cli.string("body-file", null) != null) {
      body = Files.readAllBytes(Path.of(cli.string("body-file", null)));
    } else if (cli.string("body", null) != null) {
      body = cli.string("body", null).getBytes(StandardCharsets.UTF_8);
    } else {
      body = LoadConfig.defaultBody(url, stream);
    }
    Map<String, String> headers = headers(cli);
    double rate = cli.decimal("rate", 0);
    int connections = cli.integer("connections", rate > 0 ? 64 : 16);
    return new LoadConfig(url, headers, body, stream, rate, connections,
        cli.duration("duration", Duration.ofSeconds(10)), cli.duration("warmup", Duration.ofSeconds(2)),
        cli.duration("timeout", Duration.ofSeconds(10)), stamp);
  }

  /** The {@code --header 'Name: value'} options, names in lower case. */
  private static Map<String, String> headers(CommandLine cli) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (String header : cli.all("header")) {
      int colon = header.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("--header: " + header.split(":", 2)[0] + " (expected: 'Name: value')");
      }
      headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
    }
    return headers;
  }

  /** Netty logs at debug when no logging config is on the classpath; a load run wants none of it. */
  private static void quietLogging() {
    if (org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
        instanceof ch.qos.logback.classic.Logger root) {
      root.setLevel(ch.qos.logback.classic.Level.WARN);
    }
  }

  /** The URL with {@code --path} as its path, or the chat path when it has none. */
  private static URI withPath(URI url, CommandLine cli) {
    String path = cli.string("path", url.getRawPath() == null || url.getRawPath().isEmpty()
        || url.getRawPath().equals("/") ? DEFAULT_PATH : url.getRawPath());
    String authority = url.getRawAuthority();
    String query = url.getRawQuery() == null ? "" : "?" + url.getRawQuery();
    return URI.create(url.getScheme() + "://" + authority + path + query);
  }
}
