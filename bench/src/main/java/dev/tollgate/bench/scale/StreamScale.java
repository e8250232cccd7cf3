package dev.tollgate.bench.scale;

import dev.tollgate.bench.load.NativeTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Opens many concurrent SSE streams through a running gateway and reports what they cost it: resident
 * memory (VmRSS, total and per stream above the idle baseline), CPU while they stream, and the
 * gateway's {@code tollgate_*} counters before and after. Streams are paced in (a rate of new
 * connections), each asks the mock for a long slow stream ({@code x-mock-chunks},
 * {@code x-mock-chunk-delay-ms}), and the client reads them all on one event loop. Runs in its own
 * process; the gateway and the mock are others (see {@code bench/scale.sh}).
 *
 * <pre>
 * StreamScale --url http://127.0.0.1:P/v1/chat/completions --key tg_... --streams N --gateway-pid PID
 *     [--admin http://127.0.0.1:A] [--chunks 60] [--chunk-delay-ms 1000] [--open-per-second 2000]
 *     [--hold-seconds 10]
 * </pre>
 */
public final class StreamScale {

  private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux
  private static final String BODY = "{\"model\":\"gpt-4o-mini\",\"stream\":true,"
      + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"count slowly\"}]}";

  private final AtomicLong connected = new AtomicLong();
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong failedConnects = new AtomicLong();
  private final AtomicLong closedEarly = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong bodyBytes = new AtomicLong();
  private final AtomicLong chunks = new AtomicLong();

  private StreamScale() {
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = parse(args);
    URI url = URI.create(require(opts, "url"));
    String key = require(opts, "key");
    int streams = Integer.parseInt(require(opts, "streams"));
    long pid = Long.parseLong(require(opts, "gateway-pid"));
    String admin = opts.get("admin");
    int chunkCount = Integer.parseInt(opts.getOrDefault("chunks", "60"));
    int chunkDelayMillis = Integer.parseInt(opts.getOrDefault("chunk-delay-ms", "1000"));
    int openPerSecond = Integer.parseInt(opts.getOrDefault("open-per-second", "2000"));
    int holdSeconds = Integer.parseInt(opts.getOrDefault("hold-seconds", "10"));
    new StreamScale().run(url, key, streams, pid, admin, chunkCount, chunkDelayMillis, openPerSecond, holdSeconds);
  }

  private void run(URI url, String key, int streams, long pid, String admin, int chunkCount,
      int chunkDelayMillis, int openPerSecond, int holdSeconds) throws Exception {
    NativeTransport transport = NativeTransport.get();
    EventLoopGroup group = transport.newGroup(1);
    Map<String, Double> metricsBefore = scrape(admin);
    Sample idle = Sample.of(pid);
    System.out.printf("gateway pid %d idle: VmRSS %.1f MiB%n", pid, idle.rssKib / 1024.0);
    Bootstrap bootstrap = new Bootstrap().group(group).channel(transport.socketChannel())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HttpClientCodec(), new StreamReader());
          }
        });
    int port = url.getPort();
    String path = url.getRawPath();
    byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
    List<Channel> channels = new ArrayList<>(streams);
    // 1. open the streams at the given pace
    long openStart = System.nanoTime();
    for (int i = 0; i < streams; i++) {
      long due = openStart + (long) (i * 1e9 / openPerSecond);
      long wait = due - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      bootstrap.connect(url.getHost(), port).addListener((io.netty.channel.ChannelFutureListener) f -> {
        if (!f.isSuccess()) {
          failedConnects.incrementAndGet();
          return;
        }
        connected.incrementAndGet();
        synchronized (channels) {
          channels.add(f.channel());
        }
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path,
            Unpooled.wrappedBuffer(body));
        request.headers()
            .set(HttpHeaderNames.HOST, url.getHost() + ":" + port)
            .set(HttpHeaderNames.AUTHORIZATION, "Bearer " + key)
            .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
            .set(HttpHeaderNames.ACCEPT, "text/event-stream")
            .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
            .setInt("x-mock-chunks", chunkCount)
            .setInt("x-mock-chunk-delay-ms", chunkDelayMillis);
        f.channel().writeAndFlush(request);
      });
    }
    // 2. wait until every stream has its response head (or failed)
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (ok.get() + rejected.get() + failedConnects.get() + closedEarly.get() < streams
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    double openSeconds = (System.nanoTime() - openStart) / 1e9;
    System.out.printf("opened in %.1f s: %d connected, %d streaming (200), %d rejected, %d connect failures, "
        + "%d closed early%n", openSeconds, connected.get(), ok.get(), rejected.get(), failedConnects.get(),
        closedEarly.get());
    // 3. hold: sample the gateway while every stream is open and trickling
    Sample start = Sample.of(pid);
    long chunksAtStart = chunks.get();
    long bytesAtStart = bodyBytes.get();
    long peakRssKib = start.rssKib;
    for (int s = 0; s < holdSeconds; s++) {
      Thread.sleep(1000);
      peakRssKib = Math.max(peakRssKib, Sample.of(pid).rssKib);
    }
    Sample end = Sample.of(pid);
    double seconds = (end.nanos - start.nanos) / 1e9;
    long open = ok.get() - completed.get() - closedEarly.get();
    double cpuPercent = 100.0 * (end.cpuTicks - start.cpuTicks) / CLOCK_TICKS_PER_SECOND / seconds;
    double perStreamKib = open <= 0 ? 0 : (double) (end.rssKib - idle.rssKib) / open;
    System.out.printf("held %.1f s with %d open streams: VmRSS %.1f MiB (peak %.1f MiB, idle %.1f MiB), "
        + "%.1f KiB per stream above idle; gateway CPU %.1f%% of one core; %.0f events/s, %.1f KB/s to clients%n",
        seconds, open, end.rssKib / 1024.0, peakRssKib / 1024.0, idle.rssKib / 1024.0, perStreamKib, cpuPercent,
        (chunks.get() - chunksAtStart) / seconds, (bodyBytes.get() - bytesAtStart) / seconds / 1000);
    System.out.printf("RESULT streams=%d open=%d rss_mib=%.1f idle_rss_mib=%.1f kib_per_stream=%.1f cpu_pct=%.1f%n",
        streams, open, end.rssKib / 1024.0, idle.rssKib / 1024.0, perStreamKib, cpuPercent);
    // 4. close every stream, let the gateway settle them, compare its counters
    synchronized (channels) {
      for (Channel ch : channels) {
        ch.close();
      }
    }
    // the gateway should see every close and settle every request; wait until its in-flight gauge is back
    Map<String, Double> metricsAfter = scrape(admin);
    long closedAt = System.nanoTime();
    while (admin != null && gaugeDelta(metricsBefore, metricsAfter, "tollgate_in_flight_requests") > 0
        && System.nanoTime() - closedAt < 30_000_000_000L) {
      Thread.sleep(500);
      metricsAfter = scrape(admin);
    }
    System.out.printf("after closing: in-flight back to %+.0f over the start in %.1f s%n",
        gaugeDelta(metricsBefore, metricsAfter, "tollgate_in_flight_requests"), (System.nanoTime() - closedAt) / 1e9);
    printMetricDeltas(metricsBefore, metricsAfter, ok.get());
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class StreamReader extends SimpleChannelInboundHandler<HttpObject> {
    private boolean streaming;
    private boolean done;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (msg instanceof HttpResponse response) {
        if (response.status().code() == 200) {
          streaming = true;
          ok.incrementAndGet();
        } else {
          rejected.incrementAndGet();
          done = true;
          if (rejected.get() <= 3) {
            System.err.println("rejected: " + response.status());
          }
        }
      }
      if (msg instanceof HttpContent content && streaming) {
        bodyBytes.addAndGet(content.content().readableBytes());
        chunks.incrementAndGet();
        if (msg instanceof LastHttpContent) {
          completed.incrementAndGet();
          done = true;
          ctx.close();
        }
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!done) {
        closedEarly.incrementAndGet();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** VmRSS and utime+stime of a process, from /proc. */
  private record Sample(long rssKib, long cpuTicks, long nanos) {
    static Sample of(long pid) throws IOException {
      String status = Files.readString(Path.of("/proc/" + pid + "/status"));
      long rss = 0;
      for (String line : status.split("\n")) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
      return new Sample(rss, ticks, System.nanoTime());
    }
  }

  /** The gateway's tollgate_* samples (name with labels → value), or empty without an admin URL. */
  private static Map<String, Double> scrape(String admin) {
    Map<String, Double> out = new LinkedHashMap<>();
    if (admin == null) {
      return out;
    }
    try {
      String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(admin + "/metrics"))
          .timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      for (String line : text.split("\n")) {
        if (line.startsWith("tollgate_")) {
          int space = line.lastIndexOf(' ');
          out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      System.err.println("metrics scrape failed: " + e);
    }
    return out;
  }

  private static double gaugeDelta(Map<String, Double> before, Map<String, Double> after, String name) {
    return after.getOrDefault(name, 0.0) - before.getOrDefault(name, 0.0);
  }

  private static void printMetricDeltas(Map<String, Double> before, Map<String, Double> after, long requests) {
    if (after.isEmpty()) {
      return;
    }
    boolean storeMetric = false;
    System.out.println("gateway counters that moved (after - before):");
    for (Map.Entry<String, Double> e : after.entrySet()) {
      double delta = e.getValue() - before.getOrDefault(e.getKey(), 0.0);
      if (delta != 0 && !e.getKey().contains("_bucket")) {
        System.out.printf("  %s %+.0f%n", e.getKey(), delta);
      }
      if (e.getKey().contains("store_write")) {
        storeMetric = true;
        System.out.printf("STORE_WRITES_PER_REQUEST %.4f%n", requests == 0 ? 0 : delta / requests);
      }
    }
    if (!storeMetric) {
      System.out.println("STORE_WRITES_PER_REQUEST n/a: the gateway exports no store-write metric");
    }
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("argument " + args[i] + " (expected: --name value)");
      }
      opts.put(args[i].substring(2), args[++i]);
    }
    return opts;
  }

  private static String require(Map<String, String> opts, String name) {
    String value = opts.get(name);
    if (value == null) {
      throw new IllegalArgumentException("--" + name + ": missing");
    }
    return value;
  }
}
