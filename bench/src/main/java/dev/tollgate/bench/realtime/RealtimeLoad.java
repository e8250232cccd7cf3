package dev.tollgate.bench.realtime;

import dev.tollgate.bench.load.LatencySummary;
import dev.tollgate.bench.load.NativeTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Runs one realtime load: opens the sessions, lets them warm up, then measures answered frames and their
 * round trips for the configured duration and closes every session with 1000. {@link #run} blocks the
 * calling thread; the sessions run on the load's own event loops and report here through thread-safe
 * counters.
 */
public final class RealtimeLoad {

  private static final int MAX_FRAME_BYTES = 1 << 20;

  private final RealtimeLoadConfig config;
  private final PrintStream progress;
  private final Recorder roundTripMicros = new Recorder(3);
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final long originNanos = System.nanoTime();
  private volatile boolean stopping;
  private CountDownLatch settled;

  /** A load for {@code config}; {@code progress} (nullable) gets one line per phase. */
  public RealtimeLoad(RealtimeLoadConfig config, PrintStream progress) {
    this.config = config;
    this.progress = progress;
  }

  /** Opens the sessions, measures, closes them; returns what was measured. */
  public RealtimeLoadResult run() throws InterruptedException {
    NativeTransport transport = NativeTransport.get();
    EventLoopGroup group = transport.newGroup(config.threads());
    List<RealtimeLoadSession> sessions = new ArrayList<>(config.sessions());
    List<Channel> channels = new ArrayList<>(config.sessions());
    settled = new CountDownLatch(config.sessions());
    try {
      // 1. every session connects and upgrades; each counts down once, open or failed
      Bootstrap bootstrap = new Bootstrap().group(group).channel(transport.socketChannel())
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.timeout().toMillis());
      int port = config.url().getPort() > 0 ? config.url().getPort() : 80;
      for (int i = 0; i < config.sessions(); i++) {
        RealtimeLoadSession session = new RealtimeLoadSession(this, config.inFlight(), config.frameBytes());
        sessions.add(session);
        ChannelFuture connect = bootstrap.handler(initializer(session)).connect(config.url().getHost(), port);
        channels.add(connect.channel());
        connect.addListener(f -> {
          if (!f.isSuccess()) {
            error("connect");
            settled.countDown();
          }
        });
      }
      settled.await(config.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
      int open = (int) sessions.stream().filter(RealtimeLoadSession::isOpen).count();
      say("realtime: " + open + " of " + config.sessions() + " sessions open, " + config.inFlight()
          + " frames in flight each; warming up " + config.warmup().toMillis() + " ms");
      // 2. warm-up: what it records is dropped
      Thread.sleep(config.warmup().toMillis());
      roundTripMicros.getIntervalHistogram();
      long startNanos = System.nanoTime();
      // 3. the measured window
      Thread.sleep(config.duration().toMillis());
      Histogram window = roundTripMicros.getIntervalHistogram();
      long endNanos = System.nanoTime();
      stopping = true;
      long stalledBeforeNanos = endNanos - config.timeout().toNanos();
      for (RealtimeLoadSession session : sessions) {
        if (session.isOpen() && session.lastAnswerNanos() < stalledBeforeNanos) {
          error("stalled");
        }
      }
      // 4. close every session politely, then the loops
      for (int i = 0; i < sessions.size(); i++) {
        sessions.get(i).closeNormally(channels.get(i));
      }
      for (Channel channel : channels) {
        channel.closeFuture().await(2, TimeUnit.SECONDS);
      }
      return new RealtimeLoadResult(open, window.getTotalCount(), (endNanos - startNanos) / 1e9,
          LatencySummary.of(window), errorCounts());
    } finally {
      stopping = true;
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  // ---- called by the sessions, on their event loops ------------------------------------------

  boolean stopping() {
    return stopping;
  }

  /** Nanoseconds since this load began: the stamp a frame carries (always positive, 19 digits are plenty). */
  long stampNanos() {
    return System.nanoTime() - originNanos;
  }

  void answered(long stampNanos) {
    long micros = (stampNanos() - stampNanos) / 1000;
    roundTripMicros.recordValue(Math.max(1, micros));
  }

  void settled() {
    settled.countDown();
  }

  void error(String kind) {
    errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
  }

  private Map<String, Long> errorCounts() {
    Map<String, Long> counts = new TreeMap<>();
    errors.forEach((kind, count) -> {
      if (count.sum() > 0) {
        counts.put(kind, count.sum());
      }
    });
    return counts;
  }

  private ChannelInitializer<SocketChannel> initializer(RealtimeLoadSession session) {
    HttpHeaders headers = new DefaultHttpHeaders();
    config.headers().forEach(headers::set);
    WebSocketClientProtocolConfig protocol = WebSocketClientProtocolConfig.newBuilder()
        .webSocketUri(config.url())
        .customHeaders(headers)
        .maxFramePayloadLength(MAX_FRAME_BYTES)
        .handshakeTimeoutMillis(config.timeout().toMillis())
        .handleCloseFrames(false)
        .dropPongFrames(true)
        .build();
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        ch.pipeline().addLast("codec", new HttpClientCodec())
            .addLast("aggregator", new HttpObjectAggregator(64 * 1024))
            .addLast("websocket", new WebSocketClientProtocolHandler(protocol))
            .addLast("session", session);
      }
    };
  }

  private void say(String line) {
    if (progress != null) {
      progress.println(line);
    }
  }
}
