package dev.tollgate.bench.jmh.pipeline;

import dev.tollgate.bench.jmh.usage.ProviderBodies;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One request through the whole gateway, sockets excluded: request bytes in → codec, keepAlive, metrics,
 * guard, body, route, auth (cached API key), plan gate, rate limit (key and tenant), quota lease,
 * concurrency, cache (route not cached), upstream forwarder → request bytes out to the provider; then
 * the provider's response bytes in → upstream codec, usage tap, relay → response bytes out to the client,
 * usage settled. Both connections are {@link InMemorySocketChannel}s on one {@link InlineEventLoop}: the client one is set up by the
 * real {@code GatewayPipeline} (added as the ChannelInitializer it is), the upstream one by the real
 * {@code UpstreamConnector} and {@code GatewayPipeline.initUpstreamChannel}, pooled and reused as in
 * production. JMH runs it on a Netty {@code FastThreadLocalThread}, as an event loop would be. Every read
 * is a pooled buffer, as from a socket; an SSE response arrives one event per
 * read. Run: {@code java -cp bench/target/classes:$(cat bench/target/classpath.txt)
 * org.openjdk.jmh.Main PipelineBenchmark -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// event-loop threads (see EventLoopThreadExecutor); the leak detector off, as in production
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled", EventLoopThreadExecutor.SELECT_EXECUTOR,
    EventLoopThreadExecutor.SELECT_CLASS})
public class PipelineBenchmark {

  private static final int SSE_EVENTS = 16;

  private PipelineFixture fixture;
  private InlineEventLoop loop;
  private InMemorySocketChannel client;
  private InMemorySocketChannel upstream;
  private ByteBufAllocator alloc;
  private byte[] jsonRequest;
  private byte[] sseRequest;
  private byte[] sseRequestWithoutUsage;
  private List<byte[]> jsonResponseReads;
  private List<byte[]> sseResponseReads;
  private long requests;
  private long storeWritesAtStart;
  private long tasksAtStart;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    fixture = PipelineFixture.start();
    loop = new InlineEventLoop();
    client = fixture.newClientChannel(loop);
    alloc = client.alloc();
    String body = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},"
        + "{\"role\":\"user\",\"content\":\"Say hello in one sentence.\"}],\"max_tokens\":64";
    jsonRequest = request(body + "}");
    sseRequest = request(body + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
    sseRequestWithoutUsage = request(body + ",\"stream\":true}"); // the SDKs' default
    byte[] json = ProviderBodies.openAiJson();
    byte[] jsonResponse = concat(ascii("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + json.length + "\r\nx-request-id: req_4f1c0e2b9a7d\r\n"
        + "openai-processing-ms: 231\r\nopenai-version: 2020-10-01\r\n\r\n"),
        json);
    sseResponseReads = new ArrayList<>();
    sseResponseReads.add(ascii("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
        + "Transfer-Encoding: chunked\r\nx-request-id: req_4f1c0e2b9a7d\r\nopenai-processing-ms: 95\r\n"
        + "cache-control: no-cache\r\n\r\n"));
    for (byte[] event : ProviderBodies.openAiSse(SSE_EVENTS)) {
      sseResponseReads.add(concat(ascii(Integer.toHexString(event.length) + "\r\n"), event, ascii("\r\n")));
    }
    sseResponseReads.add(ascii("0\r\n\r\n"));
    jsonResponseReads = List.of(jsonResponse);
    // the first request dials (a new in-memory upstream channel) and loads the key into the cache
    String first = exchange(jsonRequest, jsonResponseReads, true);
    upstream = InMemorySocketChannel.newest();
    if (upstream == client) {
      throw new IllegalStateException("no upstream channel was created; first response: " + first);
    }
    for (int i = 0; i < 2_000; i++) { // past the key cache load and the first quota leases
      exchange(jsonRequest, jsonResponseReads, false);
    }
    checkOk(exchange(jsonRequest, jsonResponseReads, true), "\"total_tokens\":46");
    checkOk(exchange(sseRequest, sseResponseReads, true), "data: [DONE]");
    checkOk(exchange(sseRequestWithoutUsage, sseResponseReads, true), "data: [DONE]");
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
    return exchangeBytes(jsonRequest, jsonResponseReads);
  }

  /** A streamed chat completion: 16 content events plus role, finish, usage and [DONE], one read each. */
  @Benchmark
  public int chatCompletionSse16() {
    return exchangeBytes(sseRequest, sseResponseReads);
  }

  /**
   * As {@link #chatCompletionSse16}, for a client that did not ask for usage (the SDKs' default): the
   * gateway adds {@code stream_options.include_usage} upstream and removes the usage event it brings.
   */
  @Benchmark
  public int chatCompletionSse16UsageInjected() {
    return exchangeBytes(sseRequestWithoutUsage, sseResponseReads);
  }

  private int exchangeBytes(byte[] request, List<byte[]> responseReads) {
    requests++;
    client.receive(pooled(request));
    if (drain(upstream, false, null) == 0) {
      // parked on an answer from the store (a quota lease the prefetch did not bring in time)
      awaitUpstreamRequest(upstream);
    }
    for (int i = 0, n = responseReads.size(); i < n; i++) { // no iterator: only the gateway's allocations count
      upstream.receive(pooled(responseReads.get(i)));
    }
    loop.runPendingTasks(); // as an event loop does between reads
    return drain(client, false, null);
  }

  /** As {@link #exchangeBytes}, but finding the upstream channel anew and returning what the client got. */
  private String exchange(byte[] request, List<byte[]> responseReads, boolean capture) {
    client.receive(pooled(request));
    // a request parked on a store lookup (key cache miss, first quota lease) resumes on the client's loop
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    InMemorySocketChannel up;
    while ((up = InMemorySocketChannel.newest()) == client || drain(up, false, null) == 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the request never reached an upstream channel; client got: "
            + drainToString(client));
      }
      loop.runPendingTasks();
      Thread.onSpinWait();
    }
    for (byte[] read : responseReads) {
      up.receive(pooled(read));
    }
    StringBuilder out = capture ? new StringBuilder() : null;
    drain(client, capture, out);
    return out == null ? "" : out.toString();
  }

  /** Runs the client loop's tasks until the parked request reaches {@code up}; releases what was sent. */
  private void awaitUpstreamRequest(InMemorySocketChannel up) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (drain(up, false, null) == 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the request did not reach the upstream channel");
      }
      loop.runPendingTasks();
      Thread.onSpinWait();
    }
  }

  private ByteBuf pooled(byte[] bytes) {
    return alloc.buffer(bytes.length).writeBytes(bytes); // released by the gateway, as a socket read is
  }

  /** Releases everything the channel wrote; returns the number of bytes. */
  private static int drain(InMemorySocketChannel channel, boolean capture, StringBuilder out) {
    int bytes = 0;
    for (Object msg; (msg = channel.written().poll()) != null; ) {
      if (msg instanceof ByteBuf buf) {
        bytes += buf.readableBytes();
        if (capture) {
          out.append(buf.toString(StandardCharsets.UTF_8));
        }
        buf.release();
      } else {
        io.netty.util.ReferenceCountUtil.release(msg);
      }
    }
    return bytes;
  }

  private static String drainToString(InMemorySocketChannel channel) {
    StringBuilder out = new StringBuilder();
    drain(channel, true, out);
    return out.toString();
  }

  private static void checkOk(String response, String expected) {
    if (!response.startsWith("HTTP/1.1 200") || !response.contains(expected)) {
      throw new IllegalStateException("unexpected response from the pipeline:\n" + response);
    }
  }

  private byte[] request(String body) {
    byte[] json = ascii(body);
    return concat(ascii("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway.example\r\n"
        + "Authorization: Bearer " + fixture.apiKey + "\r\nContent-Type: application/json\r\n"
        + "User-Agent: OpenAI/Python 1.54.3\r\nAccept: application/json\r\nContent-Length: " + json.length
        + "\r\n\r\n"), json);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    return ProviderBodies.concat(List.of(parts));
  }
}
