package dev.tollgate.bench.jmh.route;

import dev.tollgate.core.config.GatewayConfig;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.route.RequestBodyInspector;
import dev.tollgate.server.config.ConfigLoader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The route stage's reading of a chat request body ({@code model}, {@code stream}, the output limit;
 * every other value skipped), from a pooled direct buffer as a socket read leaves it. The bodies are
 * conversations of about the size given ({@link ChatBodies}): plain ASCII, English as people type it
 * (curly quotes, dashes), or text dense in accents, CJK and emoji. A real request carries its history,
 * so this is most of what the route stage does per byte. Run:
 * {@code java -cp bench/target/classes:$(cat bench/target/classpath.txt) org.openjdk.jmh.Main
 * RequestBodyBenchmark -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
public class RequestBodyBenchmark {

  /** Approximate body size in KiB, and its text ({@link ChatBodies.Text}). */
  @Param({"1-ascii", "32-ascii", "32-typographic", "32-utf8"})
  public String body;

  private ByteBuf bytes;
  private RequestContext request;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    String[] parts = body.split("-");
    byte[] json = ChatBodies.conversation(Integer.parseInt(parts[0]) * 1024,
        ChatBodies.Text.valueOf(parts[1].toUpperCase(Locale.ROOT)), true);
    bytes = PooledByteBufAllocator.DEFAULT.directBuffer(json.length).writeBytes(json);
    GatewayConfig config = new ConfigLoader(name -> null).load(null);
    request = new RequestContext("req_bench", System.nanoTime(), System.currentTimeMillis(), config, "POST",
        "/v1/chat/completions");
    inspect();
    if (!"gpt-4o-mini".equals(request.requestModel()) || !request.stream()) {
      throw new IllegalStateException("the body was not read: model " + request.requestModel());
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    bytes.release();
  }

  @Benchmark
  public RequestContext inspect() throws IOException {
    RequestBodyInspector.inspect(bytes, request);
    return request;
  }
}
