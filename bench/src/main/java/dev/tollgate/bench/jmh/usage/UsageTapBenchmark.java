package dev.tollgate.bench.jmh.usage;

import dev.tollgate.core.usage.TokenUsage;
import dev.tollgate.core.usage.UsageDialect;
import dev.tollgate.core.usage.UsageScanner;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * The usage tap's scanner over whole responses, as the tap runs it: a new {@link UsageScanner} per
 * response, {@code scan} on every chunk (one SSE event per chunk, in direct buffers as read from a
 * socket), then the usage. Throughput mode: the score is responses per µs, and the {@code bytes}
 * counter reads as bytes per µs, i.e. MB/s. Run with {@code -prof gc} for B/op (per response).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class UsageTapBenchmark {

  /** Content events per SSE response. */
  @Param({"16", "256"})
  public int events;

  private ByteBuf[] openAiSse;
  private ByteBuf[] anthropicSse;
  private ByteBuf openAiJson;
  private int openAiSseBytes;
  private int anthropicSseBytes;

  /** Bytes scanned, counted as operations so JMH reports them per µs (= MB/s). */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Scanned {
    public long bytes;

    @Setup(Level.Iteration)
    public void clear() {
      bytes = 0;
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    openAiSse = direct(ProviderBodies.openAiSse(events));
    anthropicSse = direct(ProviderBodies.anthropicSse(events));
    openAiJson = direct(List.of(ProviderBodies.openAiJson()))[0];
    openAiSseBytes = readable(openAiSse);
    anthropicSseBytes = readable(anthropicSse);
    check(scan(UsageDialect.OPENAI_CHAT, true, openAiSse), events);
    check(scan(UsageDialect.ANTHROPIC_MESSAGES, true, anthropicSse), events);
    check(scan(UsageDialect.OPENAI_CHAT, false, new ByteBuf[] {openAiJson}), 27);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    for (ByteBuf b : openAiSse) {
      b.release();
    }
    for (ByteBuf b : anthropicSse) {
      b.release();
    }
    openAiJson.release();
  }

  /** An OpenAI chat stream with {@code include_usage}: {@code "usage":null} on every chunk, usage last. */
  @Benchmark
  public TokenUsage openAiSse(Scanned scanned) {
    scanned.bytes += openAiSseBytes;
    return scan(UsageDialect.OPENAI_CHAT, true, openAiSse);
  }

  /** An Anthropic Messages stream: usage in message_start and (cumulative) in message_delta. */
  @Benchmark
  public TokenUsage anthropicSse(Scanned scanned) {
    scanned.bytes += anthropicSseBytes;
    return scan(UsageDialect.ANTHROPIC_MESSAGES, true, anthropicSse);
  }

  /** A non-streamed chat completion (about 700 bytes); independent of {@code events}. */
  @Benchmark
  public TokenUsage openAiJson(Scanned scanned) {
    scanned.bytes += openAiJson.readableBytes();
    return scan(UsageDialect.OPENAI_CHAT, false, new ByteBuf[] {openAiJson});
  }

  private static TokenUsage scan(UsageDialect dialect, boolean sse, ByteBuf[] chunks) {
    UsageScanner scanner = new UsageScanner(dialect, sse);
    for (ByteBuf chunk : chunks) {
      scanner.scan(chunk);
    }
    return scanner.usage();
  }

  private static void check(TokenUsage usage, long expectedOutputTokens) {
    if (usage.outputTokens() != expectedOutputTokens) {
      throw new IllegalStateException("scanner found " + usage + ", expected " + expectedOutputTokens
          + " output tokens");
    }
  }

  private static ByteBuf[] direct(List<byte[]> events) {
    ByteBuf[] out = new ByteBuf[events.size()];
    for (int i = 0; i < out.length; i++) {
      byte[] e = events.get(i);
      out[i] = Unpooled.directBuffer(e.length).writeBytes(e);
    }
    return out;
  }

  private static int readable(ByteBuf[] chunks) {
    int n = 0;
    for (ByteBuf b : chunks) {
      n += b.readableBytes();
    }
    return n;
  }
}
