package dev.tollgate.bench.jmh.pipeline;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One request through the whole gateway, sockets excluded: request bytes in → codec, keepAlive, metrics,
 * guard, body, route, auth (cached API key), plan gate, rate limit (key and tenant), quota lease,
 * concurrency, cache (route not cached), upstream forwarder → request bytes out to the provider; then
 * the provider's response bytes in → upstream codec, usage tap, relay → response bytes out to the client,
 * usage settled. Both connections are {@link InMemorySocketChannel}s on one {@link InlineEventLoop}: the client one is set up by the
 * real {@code GatewayPipeline} (added as the ChannelInitializer it is), the upstream one by the real
 * {@code UpstreamConnector} and {@code GatewayPipeline.initUpstreamChannel}, pooled and reused as in
 * production. JMH runs it on a Netty {@code FastThreadLocalThread}, as an event loop would be. Every read
 * is a pooled buffer, as from a socket; an SSE response arrives one event per read (the bytes are
 * {@link ChatCompletionBytes}). The figures include the harness (the pooled copies, the in-memory
 * channels' reads and writes, Netty's pipeline head and tail, the loop's task run, draining and
 * releasing what was written): {@link HarnessFloorBenchmark} moves the same bytes through the same
 * harness with a trivial pipeline, so the pipeline's own cost is this benchmark's figure minus the
 * floor's, both from the same run. Run: {@code java -cp
 * bench/target/classes:proxy-core/target/classes:$(cat bench/target/classpath.txt) org.openjdk.jmh.Main
 * 'HarnessFloorBenchmark|PipelineBenchmark' -prof gc}.
 */
public class PipelineBenchmark extends ExchangeBenchmarkSettings {

  private PipelineFixture fixture;
  private InlineEventLoop loop;
  private InMemorySocketChannel client;
  private InMemorySocketChannel upstream;
  private ChatCompletionBytes bytes;
  private long requests;
  private long storeWritesAtStart;
  private long tasksAtStart;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    fixture = PipelineFixture.start();
    loop = new InlineEventLoop();
    client = fixture.newClientChannel(loop);
    bytes = new ChatCompletionBytes(fixture.apiKey);
    // the first request dials (a new in-memory upstream channel) and loads the key into the cache
    String first = exchange(bytes.jsonRequest, bytes.jsonResponseReads, true);
    upstream = InMemorySocketChannel.newest();
    if (upstream == client) {
      throw new IllegalStateException("no upstream channel was created; first response: " + first);
    }
    for (int i = 0; i < 2_000; i++) { // past the key cache load and the first quota leases
      exchange(bytes.jsonRequest, bytes.jsonResponseReads, false);
    }
    checkOk(exchange(bytes.jsonRequest, bytes.jsonResponseReads, true), "\"total_tokens\":46");
    checkOk(exchange(bytes.jsonConversationRequest, bytes.jsonResponseReads, true), "\"total_tokens\":46");
    checkOk(exchange(bytes.sseRequest, bytes.sseResponseReads, true), "data: [DONE]");
    checkOk(exchange(bytes.sseRequestWithoutUsage, bytes.sseResponseReads, true), "data: [DONE]");
    storeWritesAtStart = fixture.store.writeCount();
    requests = 0;
    tasksAtStart = loop.tasksRun();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    long writes = fixture.store.writeCount() - storeWritesAtStart;
    System.out.printf("%nstore writes: %d over %d requests = %.4f per request; loop tasks run: %d%n", writes,
        requests, requests == 0 ? 0.0 : (double) writes / requests, loop.tasksRun() - tasksAtStart);
    client.close();
    loop.runPendingTasks();
    client.releaseWritten();
    fixture.close();
  }

  /** A non-streamed chat completion (about 600 bytes of JSON with usage). */
  @Benchmark
  public int chatCompletionJson() {
    return exchangeBytes(bytes.jsonRequest, bytes.jsonResponseReads);
  }

  /**
   * As {@link #chatCompletionJson}, with a 16 KiB conversation as the request body (English with curly
   * quotes and dashes): the route stage reads all of it, so this shows what a real body costs.
   */
  @Benchmark
  public int chatCompletionJsonConversation16k() {
    return exchangeBytes(bytes.jsonConversationRequest, bytes.jsonResponseReads);
  }

  /** A streamed chat completion: 16 content events plus role, finish, usage and [DONE], one read each. */
  @Benchmark
  public int chatCompletionSse16() {
    return exchangeBytes(bytes.sseRequest, bytes.sseResponseReads);
  }

  /**
   * As {@link #chatCompletionSse16}, for a client that did not ask for usage (the SDKs' default): the
   * gateway adds {@code stream_options.include_usage} upstream and removes the usage event it brings.
   */
  @Benchmark
  public int chatCompletionSse16UsageInjected() {
    return exchangeBytes(bytes.sseRequestWithoutUsage, bytes.sseResponseReads);
  }

  private int exchangeBytes(byte[] request, List<byte[]> responseReads) {
    requests++;
    client.receive(request);
    if (upstream.releaseWritten() == 0) {
      // parked on an answer from the store (a quota lease the prefetch did not bring in time)
      awaitUpstreamRequest(upstream);
    }
    for (int i = 0, n = responseReads.size(); i < n; i++) { // no iterator: only the gateway's allocations count
      upstream.receive(responseReads.get(i));
    }
    loop.runPendingTasks(); // as an event loop does between reads
    return client.releaseWritten();
  }

  /** As {@link #exchangeBytes}, but finding the upstream channel anew and returning what the client got. */
  private String exchange(byte[] request, List<byte[]> responseReads, boolean capture) {
    client.receive(request);
    // a request parked on a store lookup (key cache miss, first quota lease) resumes on the client's loop
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    InMemorySocketChannel up;
    while ((up = InMemorySocketChannel.newest()) == client || up.releaseWritten() == 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the request never reached an upstream channel; client got: "
            + drainToString(client));
      }
      loop.runPendingTasks();
      Thread.onSpinWait();
    }
    for (byte[] read : responseReads) {
      up.receive(read);
    }
    StringBuilder out = capture ? new StringBuilder() : null;
    client.releaseWritten(out);
    return out == null ? "" : out.toString();
  }

  /** Runs the client loop's tasks until the parked request reaches {@code up}; releases what was sent. */
  private void awaitUpstreamRequest(InMemorySocketChannel up) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (up.releaseWritten() == 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the request did not reach the upstream channel");
      }
      loop.runPendingTasks();
      Thread.onSpinWait();
    }
  }

  private static String drainToString(InMemorySocketChannel channel) {
    StringBuilder out = new StringBuilder();
    channel.releaseWritten(out);
    return out.toString();
  }

  private static void checkOk(String response, String expected) {
    if (!response.startsWith("HTTP/1.1 200") || !response.contains(expected)) {
      throw new IllegalStateException("unexpected response from the pipeline:\n" + response);
    }
  }
}
