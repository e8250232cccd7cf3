package dev.tollgate.bench.load;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * Drives one {@link LoadConfig} against an HTTP/1.1 server over keep-alive connections and measures latency
 * without coordinated omission: in open loop each request is charged from its intended send time. The calling
 * thread blocks in {@link #run} and prints a progress line each second; the connections run on their own event
 * loops.
 */
public final class LoadGenerator {

  private static final long SECOND_NANOS = 1_000_000_000L;

  private final LoadConfig config;
  private final LongSupplier nanoClock;
  private final PrintStream progress;

  /** A generator for {@code config}; progress lines go to {@code progress} unless it is null. */
  public LoadGenerator(LoadConfig config, LongSupplier nanoClock, PrintStream progress) {
    this.config = requireNonNull(config, "config");
    this.nanoClock = requireNonNull(nanoClock, "nanoClock");
    this.progress = progress;
  }

  /** A generator on {@link System#nanoTime} printing progress to stderr. */
  public LoadGenerator(LoadConfig config) {
    this(config, System::nanoTime, System.err);
  }

  /** Runs warmup then the measured duration, waits for requests in flight, and returns what was measured. */
  public LoadResult run() throws InterruptedException {
    return run(() -> { });
  }

  /**
   * As {@link #run()}, calling {@code atMeasureStart} on the calling thread when the warmup ends, so that a
   * caller can sample what it measures (a target's CPU time) over exactly the measured window.
   */
  public LoadResult run(Runnable atMeasureStart) throws InterruptedException {
    int threads = Math.min(config.connections(), Math.max(1, Runtime.getRuntime().availableProcessors()));
    NativeTransport transport = NativeTransport.get();
    EventLoopGroup group = transport.newGroup(threads);
    List<LoadConnection> connections = new ArrayList<>();
    try {
      Bootstrap bootstrap = new Bootstrap()
          .group(group)
          .channel(transport.socketChannel())
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(5_000, config.timeout().toMillis()))
          .remoteAddress(config.url().getHost(), config.port());
      LatencyRecorder recorder = new LatencyRecorder(nanoClock, Long.MAX_VALUE);
      HttpHeaders headers = requestHeaders();
      long timeoutNanos = config.timeout().toNanos();
      for (int i = 0; i < config.connections(); i++) {
        LoadConnection connection = new LoadConnection(bootstrap, group.next(), recorder,
            config.pathAndQuery(), headers, config.body(), timeoutNanos, config.stamp());
        connections.add(connection);
        connection.connect();
      }
      awaitAll(connections.stream().map(LoadConnection::connected).toList(), 6 * SECOND_NANOS);

      // 1. the schedule starts once the connections are open, so connecting is not charged to the target
      long startNanos = nanoClock.getAsLong();
      long measureFromNanos = startNanos + config.warmup().toNanos();
      long endNanos = measureFromNanos + config.duration().toNanos();
      recorder.measureFrom(measureFromNanos);
      for (int lane = 0; lane < connections.size(); lane++) {
        OpenLoopSchedule schedule = config.openLoop()
            ? new OpenLoopSchedule(config.ratePerSecond(), startNanos, endNanos, lane, connections.size())
            : null;
        connections.get(lane).begin(new RequestLane(schedule, nanoClock, endNanos));
      }
      // 2. report each second until the schedule ends
      reportUntil(recorder, startNanos, measureFromNanos, endNanos, atMeasureStart);
      // 3. let requests in flight (and queued open-loop requests) finish, bounded by the request timeout
      awaitAll(connections.stream().map(LoadConnection::drained).toList(), timeoutNanos + SECOND_NANOS);
      connections.forEach(LoadConnection::stop);
      Histogram latency = recorder.total();
      Histogram firstByte = recorder.totalFirstByte();
      Histogram relayDelay = recorder.totalRelayDelay();
      return new LoadResult(latency.getTotalCount(), recorder.errors(),
          config.duration().toNanos() / (double) SECOND_NANOS, latency, firstByte, relayDelay);
    } finally {
      connections.forEach(LoadConnection::stop);
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private HttpHeaders requestHeaders() {
    HttpHeaders headers = new DefaultHttpHeaders();
    String host = config.url().getPort() > 0 ? config.url().getHost() + ":" + config.url().getPort()
        : config.url().getHost();
    headers.set(HttpHeaderNames.HOST, host)
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, config.body().length)
        .set(HttpHeaderNames.ACCEPT, config.stream() ? "text/event-stream" : "application/json");
    if (config.stamp()) {
      headers.set(LoadConfig.STAMP_HEADER, "1");
    }
    config.headers().forEach(headers::set);
    return headers;
  }

  private void reportUntil(LatencyRecorder recorder, long startNanos, long measureFromNanos, long endNanos,
      Runnable atMeasureStart) throws InterruptedException {
    long tick = startNanos;
    boolean measuring = measureFromNanos <= startNanos; // no warmup: measuring from the start
    if (measuring) {
      atMeasureStart.run();
    }
    while (true) {
      long now = nanoClock.getAsLong();
      if (now >= endNanos) {
        return;
      }
      long previousTick = tick;
      // a tick falls exactly on the end of the warmup, whatever its length
      long next = tick + SECOND_NANOS;
      tick = Math.min(tick < measureFromNanos && next > measureFromNanos ? measureFromNanos : next, endNanos);
      TimeUnit.NANOSECONDS.sleep(Math.max(0, tick - now));
      if (!measuring && tick >= measureFromNanos) {
        measuring = true;
        atMeasureStart.run();
      }
      Histogram interval = recorder.sampleInterval();
      if (progress == null) {
        continue;
      }
      long elapsedSeconds = Math.round((tick - startNanos) / (double) SECOND_NANOS);
      if (tick <= measureFromNanos) {
        progress.printf(Locale.ROOT, "[%3ds] warmup%n", elapsedSeconds);
        continue;
      }
      LatencySummary s = LatencySummary.of(interval);
      double intervalSeconds = (tick - Math.max(previousTick, measureFromNanos)) / (double) SECOND_NANOS;
      progress.printf(Locale.ROOT, "[%3ds] %8.0f req/s  p50 %7dµs  p99 %7dµs  max %7dµs  errors %d%n",
          elapsedSeconds, s.count() / Math.max(intervalSeconds, 1e-3), s.p50Micros(), s.p99Micros(), s.maxMicros(), recorder.errorCount());
    }
  }

  private static void awaitAll(List<CompletableFuture<Void>> futures, long timeoutNanos)
      throws InterruptedException {
    try {
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // a connection that never finished is counted through its errors; go on with what completed
    }
  }
}
