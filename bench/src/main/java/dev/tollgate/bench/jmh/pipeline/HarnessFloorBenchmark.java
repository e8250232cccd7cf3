package dev.tollgate.bench.jmh.pipeline;

import dev.tollgate.core.auth.ApiKeys;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The harness floor of {@link PipelineBenchmark}: the same bytes moved the same way through the same
 * harness, with a trivial pipeline instead of the gateway's. Two {@link InMemorySocketChannel}s on one
 * {@link InlineEventLoop}; the client channel's only handler writes each read to the upstream channel
 * and the upstream channel's only handler writes each read to the client channel, as it came (the
 * buffer passes on, with the void promise, as the gateway's relay writes). What is left per op is the
 * harness: the pooled copy per read, the channel's read events through Netty's pipeline head and tail,
 * one write and flush per read through the outbound buffer, the loop's task run, and draining and
 * releasing what was written. {@link #jsonExchange} moves exactly the bytes of
 * {@link PipelineBenchmark#chatCompletionJson}, {@link #sse16Exchange} those of
 * {@link PipelineBenchmark#chatCompletionSse16} (the bearer key is another of the same form and length).
 * Both run with the same JMH settings ({@link ExchangeBenchmarkSettings}), so the pipeline's own time
 * (and allocation) is PipelineBenchmark's figure minus this one's, from the same run. Run: {@code java
 * -cp bench/target/classes:proxy-core/target/classes:$(cat bench/target/classpath.txt)
 * org.openjdk.jmh.Main 'HarnessFloorBenchmark|PipelineBenchmark' -prof gc}.
 */
public class HarnessFloorBenchmark extends ExchangeBenchmarkSettings {

  InlineEventLoop loop;
  InMemorySocketChannel client;
  InMemorySocketChannel upstream;
  ChatCompletionBytes bytes;

  @Setup(Level.Trial)
  public void setUp() {
    loop = new InlineEventLoop();
    client = new InMemorySocketChannel();
    upstream = new InMemorySocketChannel();
    client.pipeline().addLast(new ForwardTo(upstream));
    upstream.pipeline().addLast(new ForwardTo(client));
    client.registerAccepted(loop);
    upstream.registerAccepted(loop);
    bytes = new ChatCompletionBytes(ApiKeys.generate());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    client.close();
    upstream.close();
    loop.runPendingTasks();
    client.releaseWritten();
    upstream.releaseWritten();
  }

  /** The bytes of {@link PipelineBenchmark#chatCompletionJson}: the request, then the response in one read. */
  @Benchmark
  public int jsonExchange() {
    return exchange(bytes.jsonRequest, bytes.jsonResponseReads, null, null);
  }

  /** The bytes of {@link PipelineBenchmark#chatCompletionJsonConversation16k}. */
  @Benchmark
  public int jsonConversation16kExchange() {
    return exchange(bytes.jsonConversationRequest, bytes.jsonResponseReads, null, null);
  }

  /**
   * The bytes of {@link PipelineBenchmark#chatCompletionSse16}: the request, then the response head, one
   * read per event and the last chunk.
   */
  @Benchmark
  public int sse16Exchange() {
    return exchange(bytes.sseRequest, bytes.sseResponseReads, null, null);
  }

  /**
   * The moves of {@code PipelineBenchmark.exchangeBytes}: the request read on the client channel, what
   * reached the upstream channel drained, each response read on the upstream channel, the loop's tasks
   * run, what reached the client drained. What is drained is released, after being appended to
   * {@code upstreamOut} and {@code clientOut} where they are not null. Returns the bytes the client got.
   */
  int exchange(byte[] request, List<byte[]> responseReads, StringBuilder upstreamOut, StringBuilder clientOut) {
    client.receive(request);
    upstream.releaseWritten(upstreamOut);
    for (int i = 0, n = responseReads.size(); i < n; i++) { // no iterator: the harness allocates alone
      upstream.receive(responseReads.get(i));
    }
    loop.runPendingTasks();
    return client.releaseWritten(clientOut);
  }

  /** The trivial pipeline: every read written to {@code peer} as it came; the buffer passes on with it. */
  private static final class ForwardTo extends ChannelInboundHandlerAdapter {

    private final Channel peer;

    ForwardTo(Channel peer) {
      this.peer = peer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      peer.writeAndFlush(msg, peer.voidPromise());
    }
  }
}
