package dev.tollgate.core.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The usage and model capture buffers start small and grow: sizes around their steps and limits. */
class UsageScannerCaptureSizeTest {

  @Test
  void readsUsageObjectLargerThanTheFirstCaptureBuffer() {
    assertThat(scanUsageObjectOf(3000)).isEqualTo(TokenUsage.of(7, 9));
  }

  @Test
  void readsUsageObjectOfExactlyTheLimit() {
    assertThat(scanUsageObjectOf(UsageScanner.MAX_USAGE_BYTES)).isEqualTo(TokenUsage.of(7, 9));
  }

  @Test
  void skipsUsageObjectOneByteOverTheLimit() {
    assertThat(scanUsageObjectOf(UsageScanner.MAX_USAGE_BYTES + 1)).isEqualTo(TokenUsage.NONE);
  }

  @Test
  void readsASecondUsageObjectAfterALargeFirstOne() {
    String first = usageObject(5000);
    String body = "data: {\"usage\":" + first + "}\n\ndata: {\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}\n\n";
    assertThat(scan(body, true)).isEqualTo(TokenUsage.of(1, 2));
  }

  @Test
  void readsModelNamesLongerThanTheFirstModelBufferUpToTheLimit() {
    for (int length : new int[] {47, 48, 49, 97, UsageScanner.MAX_MODEL_BYTES}) {
      String model = "m".repeat(length - 1) + "z";
      UsageScanner scanner = new UsageScanner(UsageDialect.OPENAI_CHAT, false);
      ByteBuf buf = Unpooled.copiedBuffer("{\"model\":\"" + model + "\"}", StandardCharsets.UTF_8);
      try {
        scanner.scan(buf);
      } finally {
        buf.release();
      }
      assertThat(scanner.model()).as("length %d", length).isEqualTo(model);
    }
  }

  @Test
  void scansHeapSlicesFromTheirOwnOffsetAndDirectChunksLargerThanOneBlock() {
    String body = "{\"usage\":" + usageObject(3000) + ",\"pad\":\"" + "y".repeat(9000) + "\","
        + "\"model\":\"gpt-4o\"}";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ByteBuf heap = Unpooled.wrappedBuffer(("\"usage\":{\"prompt_tokens\":99}" + body).getBytes(StandardCharsets.UTF_8));
    ByteBuf direct = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
    try {
      ByteBuf slice = heap.slice(heap.readableBytes() - bytes.length, bytes.length); // arrayOffset > 0
      assertThat(slice.arrayOffset()).isPositive();
      for (ByteBuf chunk : new ByteBuf[] {slice, direct}) {
        UsageScanner scanner = new UsageScanner(UsageDialect.OPENAI_CHAT, false);
        scanner.scan(chunk);
        assertThat(scanner.usage()).isEqualTo(TokenUsage.of(7, 9));
        assertThat(scanner.model()).isEqualTo("gpt-4o");
        assertThat(chunk.readerIndex()).isZero();
      }
    } finally {
      heap.release();
      direct.release();
    }
  }

  /** Scans {"usage":X} where X is a usage object of exactly {@code objectBytes} bytes. */
  private static TokenUsage scanUsageObjectOf(int objectBytes) {
    String object = usageObject(objectBytes);
    assertThat(object.length()).isEqualTo(objectBytes);
    return scan("{\"usage\":" + object + "}", false);
  }

  private static String usageObject(int objectBytes) {
    String head = "{\"prompt_tokens\":7,\"completion_tokens\":9,\"pad\":\"";
    String tail = "\"}";
    return head + "x".repeat(objectBytes - head.length() - tail.length()) + tail;
  }

  private static TokenUsage scan(String body, boolean sse) {
    UsageScanner scanner = new UsageScanner(UsageDialect.OPENAI_CHAT, sse);
    ByteBuf buf = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
    try {
      scanner.scan(buf);
    } finally {
      buf.release();
    }
    return scanner.usage();
  }
}
