package dev.tollgate.core.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UsageScannerTest {

  static final String CHAT_JSON = """
      {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "gpt-4o-2024-08-06",
        "choices": [{"index": 0, "message": {"role": "assistant",
          "content": "The \\"usage\\":{\\"prompt_tokens\\":999} of the word model and usage"},
          "finish_reason": "stop"}],
        "usage": {
          "prompt_tokens": 19,
          "completion_tokens": 10,
          "total_tokens": 29,
          "prompt_tokens_details": {"cached_tokens": 3, "audio_tokens": 2},
          "completion_tokens_details": {"reasoning_tokens": 4, "audio_tokens": 1,
            "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
        }
      }
      """;

  static final String CHAT_SSE = ""
      + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
      + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}],\"usage\":null}\n\n"
      + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
      + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\\\"usage\\\":{\\\"prompt_tokens\\\":7} "
      + "model: caf\u00e9 \u2603\"}}],\"usage\":null}\n\n"
      + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
      + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n"
      + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
      + "\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5,\"total_tokens\":17,"
      + "\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
      + "\"completion_tokens_details\":{\"reasoning_tokens\":2,\"audio_tokens\":0}}}\n\n"
      + "data: [DONE]\n\n";

  static final String RESPONSES_SSE = ""
      + "event: response.created\n"
      + "data: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_1\","
      + "\"status\":\"in_progress\",\"model\":\"o4-mini-2025-04-16\",\"output\":[],\"usage\":null}}\n\n"
      + "event: response.output_text.delta\n"
      + "data: {\"type\":\"response.output_text.delta\",\"sequence_number\":1,"
      + "\"delta\":\"say \\\"usage\\\":{ and \\\"model\\\":\\\"x\\\"\"}\n\n"
      + "event: response.completed\n"
      + "data: {\"type\":\"response.completed\",\"sequence_number\":2,\"response\":{\"id\":\"resp_1\","
      + "\"status\":\"completed\",\"model\":\"o4-mini-2025-04-16\",\"usage\":{\"input_tokens\":36,"
      + "\"input_tokens_details\":{\"cached_tokens\":8},\"output_tokens\":87,"
      + "\"output_tokens_details\":{\"reasoning_tokens\":64},\"total_tokens\":123}}}\n\n";

  static final String EMBEDDINGS_JSON = """
      {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,-0.2]}],
       "model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}
      """;

  static final String ANTHROPIC_JSON = """
      {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5",
       "content":[{"type":"text","text":"usage: {\\"input_tokens\\": 1} model"}],
       "stop_reason":"end_turn",
       "usage":{"input_tokens":2095,"cache_creation_input_tokens":100,"cache_read_input_tokens":50,
        "output_tokens":503,"cache_creation":{"ephemeral_5m_input_tokens":100}}}
      """;

  static final String ANTHROPIC_SSE = ""
      + "event: message_start\n"
      + "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
      + "\"role\":\"assistant\",\"content\":[],\"model\":\"claude-opus-4-1\",\"stop_reason\":null,"
      + "\"usage\":{\"input_tokens\":472,\"cache_creation_input_tokens\":10,"
      + "\"cache_read_input_tokens\":20,\"output_tokens\":1}}}\n\n"
      + "event: ping\n"
      + "data: {\"type\": \"ping\"}\n\n"
      + "event: content_block_delta\n"
      + "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
      + "\"text\":\"\\\"usage\\\": {\\\"output_tokens\\\": 9999}\"}}\n\n"
      + "event: message_delta\n"
      + "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
      + "\"usage\":{\"output_tokens\":15}}\n\n"
      + "event: message_stop\n"
      + "data: {\"type\":\"message_stop\"}\n\n";

  static final String REALTIME_EVENTS = ""
      + "{\"type\":\"session.created\",\"session\":{\"model\":\"gpt-realtime\"}}"
      + "{\"type\":\"conversation.item.input_audio_transcription.completed\",\"transcript\":\"usage\","
      + "\"usage\":{\"type\":\"tokens\",\"input_tokens\":5,\"output_tokens\":2,\"total_tokens\":7}}"
      + "{\"type\":\"response.done\",\"response\":{\"usage\":{\"total_tokens\":30,\"input_tokens\":20,"
      + "\"output_tokens\":10,\"input_token_details\":{\"text_tokens\":5,\"audio_tokens\":15,"
      + "\"cached_tokens\":4},\"output_token_details\":{\"text_tokens\":3,\"audio_tokens\":7}}}}"
      + "{\"type\":\"response.done\",\"response\":{\"usage\":{\"total_tokens\":12,\"input_tokens\":9,"
      + "\"output_tokens\":3,\"input_token_details\":{\"audio_tokens\":1,\"cached_tokens\":0},"
      + "\"output_token_details\":{\"audio_tokens\":2}}}}";

  @Test
  void readsOpenAiChatJsonWhateverTheChunking() {
    assertEveryChunking(UsageDialect.OPENAI_CHAT, false, CHAT_JSON,
        new TokenUsage(19, 10, 3, 0, 4, 2, 1), "gpt-4o-2024-08-06");
  }

  @Test
  void readsOpenAiChatStreamWithIncludeUsageWhateverTheChunking() {
    assertEveryChunking(UsageDialect.OPENAI_CHAT, true, CHAT_SSE,
        new TokenUsage(12, 5, 0, 0, 2, 0, 0), "gpt-4o-mini");
  }

  @Test
  void findsAUsageObjectAfterTheModelOnlyWhereAKeyReallyNamesItWhateverTheChunking() {
    // once the model is known, event lines without a usage object are skipped whole: look-alikes in
    // content, in another key and in a null value must not count, blanks around the colon must
    String stream = ""
        + "data: {\"id\":\"c1\",\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":null}\n\n"
        + "data: {\"choices\":[{\"delta\":{\"content\":\"\\\"usage\\\": {\\\"prompt_tokens\\\": 999}\"}}]}\n\n"
        + "data: {\"x\\\"usage\":{\"prompt_tokens\":555},\"usage\" : null}\n\n"
        + "data: {\"choices\":[],\"usage\" :\t {\"prompt_tokens\": 12, \"completion_tokens\": 5}}\n\n"
        + "data: [DONE]\n\n";

    assertEveryChunking(UsageDialect.OPENAI_CHAT, true, stream, TokenUsage.of(12, 5), "gpt-4o-mini");
  }

  @Test
  void aRestartedScannerReadsTheNextBodyAsANewOneWould() {
    UsageScanner scanner = new UsageScanner(UsageDialect.OPENAI_CHAT, true);
    // the previous answer was cut inside its usage object, after its model
    String cut = CHAT_SSE.substring(0, CHAT_SSE.indexOf("\"completion_tokens\""));
    scan(scanner, cut.replace("gpt-4o-mini", "gpt-previous"));

    scanner.restart();
    scan(scanner, CHAT_SSE);

    assertThat(scanner.usage()).isEqualTo(new TokenUsage(12, 5, 0, 0, 2, 0, 0));
    assertThat(scanner.model()).isEqualTo("gpt-4o-mini");
    assertThat(scanner.reads(UsageDialect.OPENAI_CHAT, true)).isTrue();
    assertThat(scanner.reads(UsageDialect.OPENAI_CHAT, false)).isFalse();
  }

  @Test
  void aRestartedScannerSeesNoUsageWhenTheNextBodyHasNone() {
    UsageScanner scanner = new UsageScanner(UsageDialect.OPENAI_CHAT, false);
    scan(scanner, CHAT_JSON);

    scanner.restart();
    scan(scanner, "{\"id\":\"c2\",\"choices\":[]}");

    assertThat(scanner.sawUsage()).isFalse();
    assertThat(scanner.usage()).isEqualTo(TokenUsage.NONE);
    assertThat(scanner.model()).isNull();
  }

  @Test
  void readsResponsesStreamUsageFromTheTerminalEventOnly() {
    assertEveryChunking(UsageDialect.OPENAI_RESPONSES, true, RESPONSES_SSE,
        new TokenUsage(36, 87, 8, 0, 64, 0, 0), "o4-mini-2025-04-16");
  }

  @Test
  void readsEmbeddingsUsage() {
    assertEveryChunking(UsageDialect.OPENAI_EMBEDDINGS, false, EMBEDDINGS_JSON,
        TokenUsage.of(8, 0), "text-embedding-3-small");
  }

  @Test
  void readsAnthropicJsonUsage() {
    assertEveryChunking(UsageDialect.ANTHROPIC_MESSAGES, false, ANTHROPIC_JSON,
        new TokenUsage(2095, 503, 50, 100, 0, 0, 0), "claude-sonnet-4-5");
  }

  @Test
  void anthropicMessageDeltaOverridesPlaceholderOutputAndKeepsInputFromMessageStart() {
    assertEveryChunking(UsageDialect.ANTHROPIC_MESSAGES, true, ANTHROPIC_SSE,
        new TokenUsage(472, 15, 20, 10, 0, 0, 0), "claude-opus-4-1");
  }

  @Test
  void genericDialectMapsFieldsByName() {
    assertEveryChunking(UsageDialect.GENERIC, false, CHAT_JSON,
        new TokenUsage(19, 10, 3, 0, 4, 2, 1), "gpt-4o-2024-08-06");
    assertEveryChunking(UsageDialect.GENERIC, false, ANTHROPIC_JSON,
        new TokenUsage(2095, 503, 50, 100, 0, 0, 0), "claude-sonnet-4-5");
  }

  @Test
  void realtimeAddsEveryResponseDoneAndSkipsTranscriptionUsage() {
    assertEveryChunking(UsageDialect.REALTIME, false, REALTIME_EVENTS,
        new TokenUsage(29, 13, 4, 0, 0, 16, 9), "gpt-realtime");
  }

  @Test
  void realtimeDrainsTheUsageAddedSinceTheLastDrain() {
    UsageScanner scanner = new UsageScanner(UsageDialect.REALTIME, false);
    int secondResponse = REALTIME_EVENTS.lastIndexOf("{\"type\":\"response.done\"");
    scan(scanner, REALTIME_EVENTS.substring(0, secondResponse));
    assertThat(scanner.drainIncrement()).isEqualTo(new TokenUsage(20, 10, 4, 0, 0, 15, 7));
    assertThat(scanner.drainIncrement()).isEqualTo(TokenUsage.NONE);
    scan(scanner, REALTIME_EVENTS.substring(secondResponse));
    assertThat(scanner.drainIncrement()).isEqualTo(new TokenUsage(9, 3, 0, 0, 0, 1, 2));
    assertThat(scanner.usage()).isEqualTo(new TokenUsage(29, 13, 4, 0, 0, 16, 9));
  }

  @Test
  void drainIncrementIsOnlyForRealtime() {
    UsageScanner scanner = new UsageScanner(UsageDialect.OPENAI_CHAT, true);
    assertThatThrownBy(scanner::drainIncrement)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("drainIncrement: dialect OPENAI_CHAT (expected: REALTIME)");
  }

  @Test
  void reportsNoUsageWhenOnlyNullUsageAndContentWordsAppear() {
    String body = "data: {\"model\":\"m\",\"choices\":[{\"delta\":{\"content\":"
        + "\"\\\"usage\\\":{\\\"prompt_tokens\\\":1}\"}}],\"usage\":null}\n\n";
    UsageScanner scanner = new UsageScanner(UsageDialect.OPENAI_CHAT, true);
    scan(scanner, body);
    assertThat(scanner.sawUsage()).isFalse();
    assertThat(scanner.usage()).isEqualTo(TokenUsage.NONE);
    assertThat(scanner.model()).isEqualTo("m");
  }

  @Test
  void skipsUsageObjectLargerThanTheLimit() {
    String padding = "x".repeat(UsageScanner.MAX_USAGE_BYTES);
    String body = "{\"usage\":{\"prompt_tokens\":1,\"pad\":\"" + padding + "\"},"
        + "\"later\":{\"usage\":{\"prompt_tokens\":2}}}";
    UsageScanner scanner = new UsageScanner(UsageDialect.OPENAI_CHAT, false);
    scan(scanner, body);
    assertThat(scanner.usage()).isEqualTo(TokenUsage.of(2, 0));
  }

  @Test
  void skipsOverlongModelAndTakesTheNextOne() {
    String body = "{\"model\":\"" + "m".repeat(UsageScanner.MAX_MODEL_BYTES + 1) + "\","
        + "\"x\":{\"model\":\"gpt-\\u0034o\"}}";
    UsageScanner scanner = new UsageScanner(UsageDialect.GENERIC, false);
    scan(scanner, body);
    assertThat(scanner.model()).isEqualTo("gpt-4o");
  }

  @Test
  void resynchronisesAtLineEndAfterATruncatedEvent() {
    String body = "data: {\"choices\":[{\"delta\":{\"content\":\"cut off here\n\n"
        + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}\n\n";
    UsageScanner scanner = new UsageScanner(UsageDialect.OPENAI_CHAT, true);
    scan(scanner, body);
    assertThat(scanner.usage()).isEqualTo(TokenUsage.of(3, 4));
  }

  @Test
  void skipsUsageObjectLargerThanTheLimitThatCameInOneRead() {
    String padding = "x".repeat(UsageScanner.MAX_USAGE_BYTES);
    // the last usage object seen wins: had the long one been read, its 1 would replace the 2
    String body = "{\"earlier\":{\"usage\":{\"prompt_tokens\":2}},"
        + "\"usage\":{\"prompt_tokens\":1,\"pad\":\"" + padding + "\"}}";
    UsageScanner scanner = new UsageScanner(UsageDialect.OPENAI_CHAT, false);
    scanner.scan(Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8))); // a heap buffer: one block
    assertThat(scanner.usage()).isEqualTo(TokenUsage.of(2, 0));
  }

  @Test
  void givesUpAnEventsUsageObjectThatALineEndCutsWhateverTheChunking() {
    // a data line ends at its line end: the object the next line seems to finish was never sent whole
    String body = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\n"
        + "\"completion_tokens\":4}}\n\n";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    for (int split = 0; split < bytes.length; split++) {
      UsageScanner scanner = new UsageScanner(UsageDialect.OPENAI_CHAT, true);
      scanChecked(scanner, java.util.Arrays.copyOfRange(bytes, 0, split));
      scanChecked(scanner, java.util.Arrays.copyOfRange(bytes, split, bytes.length));
      assertThat(scanner.sawUsage()).as("split at %d", split).isFalse();
    }
  }

  private static void assertEveryChunking(UsageDialect dialect, boolean sse, String body,
      TokenUsage expectedUsage, String expectedModel) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    List<List<byte[]>> chunkings = new ArrayList<>();
    chunkings.add(List.of(bytes));
    for (int split = 1; split < bytes.length; split++) {
      chunkings.add(List.of(java.util.Arrays.copyOfRange(bytes, 0, split),
          java.util.Arrays.copyOfRange(bytes, split, bytes.length)));
    }
    List<byte[]> singleBytes = new ArrayList<>();
    for (byte b : bytes) {
      singleBytes.add(new byte[] {b});
    }
    chunkings.add(singleBytes);

    for (List<byte[]> chunks : chunkings) {
      UsageScanner scanner = new UsageScanner(dialect, sse);
      for (byte[] chunk : chunks) {
        scanChecked(scanner, chunk);
      }
      assertThat(scanner.usage()).as("usage, %d chunks", chunks.size()).isEqualTo(expectedUsage);
      assertThat(scanner.model()).as("model, %d chunks", chunks.size()).isEqualTo(expectedModel);
      assertThat(scanner.sawUsage()).isTrue();
    }
  }

  private static void scan(UsageScanner scanner, String text) {
    scanChecked(scanner, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Scans a pooled direct buffer with non-zero reader index, checking the scan left it untouched. */
  private static void scanChecked(UsageScanner scanner, byte[] chunk) {
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(chunk.length + 3);
    try {
      buf.writeBytes(new byte[] {'"', '"', '"'}).readerIndex(3); // bytes before readerIndex are ignored
      buf.writeBytes(chunk);
      int readerIndex = buf.readerIndex();
      int writerIndex = buf.writerIndex();
      scanner.scan(buf);
      assertThat(buf.readerIndex()).isEqualTo(readerIndex);
      assertThat(buf.writerIndex()).isEqualTo(writerIndex);
      assertThat(buf.refCnt()).isEqualTo(1);
    } finally {
      buf.release();
    }
  }
}
