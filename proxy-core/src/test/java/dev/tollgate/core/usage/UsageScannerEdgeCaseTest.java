package dev.tollgate.core.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Usage objects that are odd but possible: the streaming read keeps the meaning of a JSON tree. */
class UsageScannerEdgeCaseTest {

  @Test
  void ignoresUnusableCountsAndKeepsTheUsableOnes() {
    String usage = "{\"prompt_tokens\":-3,\"completion_tokens\":2.5,\"total_tokens\":\"x\","
        + "\"prompt_tokens_details\":{\"cached_tokens\":99999999999999999999999},"
        + "\"completion_tokens_details\":{\"reasoning_tokens\":4,\"extra\":[1,{\"a\":null}]}}";
    assertThat(scan(UsageDialect.OPENAI_CHAT, usage)).isEqualTo(new TokenUsage(0, 0, 0, 0, 4, 0, 0));
  }

  @Test
  void repeatedKeyReplacesTheEarlierValueWhole() {
    String usage = "{\"prompt_tokens\":5,\"prompt_tokens\":7,"
        + "\"prompt_tokens_details\":{\"cached_tokens\":3,\"audio_tokens\":2},"
        + "\"prompt_tokens_details\":{\"cached_tokens\":1}}";
    assertThat(scan(UsageDialect.OPENAI_CHAT, usage)).isEqualTo(new TokenUsage(7, 0, 1, 0, 0, 0, 0));
  }

  @Test
  void genericDialectTakesTheFirstNamePresentEvenWhenItsValueIsUnusable() {
    String usage = "{\"input_tokens\":\"n/a\",\"prompt_tokens\":5,\"output_tokens\":null,"
        + "\"completion_tokens\":6,\"input_tokens_details\":7,\"prompt_tokens_details\":{\"cached_tokens\":8}}";
    assertThat(scan(UsageDialect.GENERIC, usage)).isEqualTo(new TokenUsage(0, 6, 0, 0, 0, 0, 0));
  }

  @Test
  void dropsAUsageObjectWithMalformedTextAnywhereInIt() {
    String usage = "{\"prompt_tokens\":5,\"note\":{\"deep\":[\"bad \\q escape\"]}}";
    UsageScanner scanner = scanner(UsageDialect.OPENAI_CHAT, usage);
    assertThat(scanner.sawUsage()).isFalse();
    assertThat(scanner.usage()).isEqualTo(TokenUsage.NONE);
  }

  @Test
  void realtimeSkipsAUsageWithATypeKeyEvenWhenItIsNull() {
    assertThat(scan(UsageDialect.REALTIME, "{\"type\":null,\"input_tokens\":5}"))
        .isEqualTo(TokenUsage.NONE);
  }

  @Test
  void readsAModelSpreadOverManyChunksUpToTheLimitAndSkipsALongerOne() {
    for (int length : new int[] {1, 47, 49, 97, 150, UsageScanner.MAX_MODEL_BYTES + 1}) {
      String model = "m".repeat(length - 1) + "\\u0041";
      String expected = length > UsageScanner.MAX_MODEL_BYTES - 5 ? "fallback" : "m".repeat(length - 1) + "A";
      UsageScanner scanner = new UsageScanner(UsageDialect.OPENAI_CHAT, false);
      byte[] body = ("{\"model\":\"" + model + "\",\"x\":{\"model\":\"fallback\"}}")
          .getBytes(StandardCharsets.UTF_8);
      for (byte b : body) {
        ByteBuf chunk = Unpooled.wrappedBuffer(new byte[] {b});
        try {
          scanner.scan(chunk);
        } finally {
          chunk.release();
        }
      }
      assertThat(scanner.model()).as("length %d", length).isEqualTo(expected);
    }
  }

  private static TokenUsage scan(UsageDialect dialect, String usage) {
    return scanner(dialect, usage).usage();
  }

  private static UsageScanner scanner(UsageDialect dialect, String usage) {
    UsageScanner scanner = new UsageScanner(dialect, false);
    ByteBuf body = Unpooled.copiedBuffer("{\"usage\":" + usage + "}", StandardCharsets.UTF_8);
    try {
      scanner.scan(body);
    } finally {
      body.release();
    }
    return scanner;
  }
}
