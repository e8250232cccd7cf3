package dev.tollgate.bench.mock;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import dev.tollgate.bench.load.NativeTransport;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;

/**
 * A small model provider for benchmarks and tests, speaking HTTP/1.1 keep-alive and, on the same port,
 * cleartext HTTP/2 with prior knowledge (h2c, see {@link ProtocolDetector}): {@code POST /v1/chat/completions} and
 * {@code POST /v1/messages}, JSON or SSE, with a chunk count and per-chunk delay taken from the query
 * ({@code chunks}, {@code chunk_delay_ms}) or headers ({@code x-mock-chunks}, {@code x-mock-chunk-delay-ms}).
 * A stream asked to be stamped ({@link #STAMP_HEADER}{@code : 1} or {@code ?stamp=1}) starts with the comment
 * {@code : t=<System.nanoTime() at the write of the first event>}. {@code GET /v1/realtime} upgrades to a
 * WebSocket that echoes each text frame as a {@code response.output_text.delta} event. Runs on its own event loops; {@link #start}
 * and {@link #close} may be called from any thread.
 */
public final class MockUpstream implements AutoCloseable {

  /** Request header asking for a send-time stamp before the first SSE event ({@code 1}; {@code 0} = none). */
  public static final String STAMP_HEADER = "x-mock-stamp";

  private static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

  private final int defaultChunks;
  private final long defaultChunkDelayMillis;
  private final int threads;
  private EventLoopGroup group;
  private Channel serverChannel;

  /** A mock whose streams have {@code defaultChunks} chunks, {@code defaultChunkDelayMillis} apart. */
  public MockUpstream(int defaultChunks, long defaultChunkDelayMillis, int threads) {
    if (defaultChunks < 0) {
      throw new IllegalArgumentException("defaultChunks: " + defaultChunks + " (expected: >= 0)");
    }
    if (defaultChunkDelayMillis < 0) {
      throw new IllegalArgumentException(
          "defaultChunkDelayMillis: " + defaultChunkDelayMillis + " (expected: >= 0)");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads: " + threads + " (expected: > 0)");
    }
    this.defaultChunks = defaultChunks;
    this.defaultChunkDelayMillis = defaultChunkDelayMillis;
    this.threads = threads;
  }

  /** A mock with 8 chunks per stream, no delay, one event loop. */
  public MockUpstream() {
    this(8, 0, 1);
  }

  /** Binds 127.0.0.1:{@code port} (0 picks a free port) and returns the bound port. */
  public synchronized int start(int port) throws InterruptedException {
    if (serverChannel != null) {
      throw new IllegalStateException("mock already started");
    }
    NativeTransport transport = NativeTransport.get();
    group = transport.newGroup(threads);
    MockUpstreamHandler handler = new MockUpstreamHandler(defaultChunks, defaultChunkDelayMillis);
    serverChannel = new ServerBootstrap()
        .group(group)
        .channel(transport.serverChannel())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast("detect", new ProtocolDetector(MAX_BODY_BYTES, handler));
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", port))
        .sync()
        .channel();
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** The bound port; only valid after {@link #start}. */
  public synchronized int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** Closes the listening socket and every connection, and waits for the event loops to stop. */
  @Override
  public synchronized void close() {
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
      serverChannel = null;
    }
    if (group != null) {
      group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
      group = null;
    }
  }

  /** Runs the mock until the process is stopped: {@code --port P --chunks N --chunk-delay-ms D --threads T}. */
  public static void main(String[] args) throws InterruptedException {
    int port = 8081;
    int chunks = 8;
    long delayMillis = 0;
    int threads = 1;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[i + 1]);
        case "--chunks" -> chunks = Integer.parseInt(args[i + 1]);
        case "--chunk-delay-ms" -> delayMillis = Long.parseLong(args[i + 1]);
        case "--threads" -> threads = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option: " + args[i]);
      }
    }
    MockUpstream mock = new MockUpstream(chunks, delayMillis, threads);
    int bound = mock.start(port);
    Runtime.getRuntime().addShutdownHook(new Thread(mock::close, "mock-shutdown"));
    System.err.println("mock upstream listening on 127.0.0.1:" + bound);
    Thread.currentThread().join();
  }
}
