package dev.tollgate.core.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseUsageChunkFilterTest {

  static final String CONTENT_EVENTS = ""
      + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
      + "\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}],\"usage\":null}\n\n"
      + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
      + "\"delta\":{\"content\":\"\\\"choices\\\":[] caf\u00e9 \\\"usage\\\":{}\"}}],\"usage\":null}\n\n"
      + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
      + "\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n";
  static final String USAGE_EVENT =
      "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
      + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5,\"total_tokens\":17}}\n\n";
  static final String DONE = "data: [DONE]\n\n";

  @Test
  void dropsOnlyTheUsageEventWhateverTheChunking() {
    assertEveryChunking(CONTENT_EVENTS + USAGE_EVENT + DONE, CONTENT_EVENTS + DONE, true);
  }

  @Test
  void dropsTheUsageEventBetweenCrLfSeparatedEvents() {
    String crlf = (CONTENT_EVENTS + USAGE_EVENT + DONE).replace("\n", "\r\n");
    String expected = (CONTENT_EVENTS + DONE).replace("\n", "\r\n");
    assertEveryChunking(crlf, expected, true);
  }

  @Test
  void forwardsAStreamWithoutUsageEventUnchanged() {
    assertEveryChunking(CONTENT_EVENTS + DONE, CONTENT_EVENTS + DONE, false);
  }

  @Test
  void keepsAnEmptyChoicesEventWithoutUsage() {
    String stream = "data: {\"choices\":[],\"usage\":null}\n\n" + DONE;
    assertEveryChunking(stream, stream, false);
  }

  @Test
  void judgesTheUsageEventTheSameWhetherItIsPlainJsonOrNeedsJackson() {
    // non-ASCII text leaves the plain reader's subset: Jackson reads that event
    String escaped = "data: {\"choices\":[ ],\"note\":\"caf\u00e9\",\"usage\":{\"total_tokens\":3}}\n\n";
    assertEveryChunking(CONTENT_EVENTS + escaped + DONE, CONTENT_EVENTS + DONE, true);
    // a later duplicate key wins, as in a tree: the choices end up non-empty, the event is kept
    String duplicate = "data: {\"choices\":[],\"usage\":{\"total_tokens\":3},\"choices\":[{\"index\":0}]}\n\n";
    assertEveryChunking(CONTENT_EVENTS + duplicate + DONE, CONTENT_EVENTS + duplicate + DONE, false);
    String usageNotAnObject = "data: {\"choices\":[],\"usage\":{\"total_tokens\":3},\"usage\":7}\n\n";
    assertEveryChunking(usageNotAnObject + DONE, usageNotAnObject + DONE, false);
  }

  @Test
  void forwardsCompleteEventsAtOnceAsTheSameBuffer() {
    SseUsageChunkFilter filter = new SseUsageChunkFilter();
    ByteBuf in = buffer(CONTENT_EVENTS.getBytes(StandardCharsets.UTF_8));
    List<Object> out = new ArrayList<>();
    filter.filter(in, out);
    assertThat(out).containsExactly(in);
    assertThat(in.refCnt()).isEqualTo(2);
    release(out);
    in.release();
    assertThat(in.refCnt()).isZero();
  }

  @Test
  void holdsOnlyTheIncompleteTrailingEvent() {
    SseUsageChunkFilter filter = new SseUsageChunkFilter();
    String first = CONTENT_EVENTS + "data: {\"id\":\"c1\",";
    ByteBuf in = buffer(first.getBytes(StandardCharsets.UTF_8));
    List<Object> out = new ArrayList<>();
    filter.filter(in, out);
    assertThat(concat(out)).isEqualTo(CONTENT_EVENTS);
    release(out);
    in.release();
    assertThat(in.refCnt()).isEqualTo(1); // the held slice still references it
    filter.releaseHeld();
    assertThat(in.refCnt()).isZero();
  }

  @Test
  void keepsHoldingAcrossAnEmptyChunk() {
    byte[] bytes = (CONTENT_EVENTS + USAGE_EVENT + DONE).getBytes(StandardCharsets.UTF_8);
    int middleOfUsageEvent = CONTENT_EVENTS.getBytes(StandardCharsets.UTF_8).length + 20;
    SseUsageChunkFilter filter = new SseUsageChunkFilter();
    String received = run(filter, List.of(Arrays.copyOfRange(bytes, 0, middleOfUsageEvent),
        new byte[0], Arrays.copyOfRange(bytes, middleOfUsageEvent, bytes.length)));
    assertThat(received).isEqualTo(CONTENT_EVENTS + DONE);
  }

  @Test
  void forwardsAnEventLongerThanTheHoldLimitAndStopsFilteringIt() {
    String padding = "x".repeat(2 * SseUsageChunkFilter.MAX_HELD_BYTES);
    String bigUsageEvent = "data: {\"choices\":[],\"pad\":\"" + padding + "\",\"usage\":{\"prompt_tokens\":1}}\n\n";
    String stream = bigUsageEvent + DONE;
    SseUsageChunkFilter filter = new SseUsageChunkFilter();
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    List<byte[]> chunks = new ArrayList<>();
    for (int from = 0; from < bytes.length; from += 4096) {
      chunks.add(Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + 4096)));
    }
    String received = run(filter, chunks);
    assertThat(received.equals(stream)).as("received the whole stream unchanged").isTrue();
    assertThat(filter.droppedUsageEvent()).isFalse();
  }

  private static void assertEveryChunking(String stream, String expected, boolean expectDropped) {
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    List<List<byte[]>> chunkings = new ArrayList<>();
    chunkings.add(List.of(bytes));
    for (int split = 1; split < bytes.length; split++) {
      chunkings.add(List.of(Arrays.copyOfRange(bytes, 0, split),
          Arrays.copyOfRange(bytes, split, bytes.length)));
    }
    List<byte[]> singleBytes = new ArrayList<>();
    for (byte b : bytes) {
      singleBytes.add(new byte[] {b});
    }
    chunkings.add(singleBytes);
    for (List<byte[]> chunks : chunkings) {
      SseUsageChunkFilter filter = new SseUsageChunkFilter();
      assertThat(run(filter, chunks)).as("%d chunks", chunks.size()).isEqualTo(expected);
      assertThat(filter.droppedUsageEvent()).isEqualTo(expectDropped);
    }
  }

  /** Feeds the chunks as the tap would, releasing every input and output, and returns the output. */
  private static String run(SseUsageChunkFilter filter, List<byte[]> chunks) {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    List<ByteBuf> inputs = new ArrayList<>();
    for (byte[] chunk : chunks) {
      ByteBuf in = buffer(chunk);
      inputs.add(in);
      int readerIndex = in.readerIndex();
      List<Object> out = new ArrayList<>();
      filter.filter(in, out);
      assertThat(in.readerIndex()).isEqualTo(readerIndex);
      for (Object part : out) {
        ByteBuf buf = (ByteBuf) part;
        byte[] copy = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), copy);
        received.writeBytes(copy);
      }
      release(out);
      in.release(); // the caller keeps ownership of in
    }
    filter.releaseHeld();
    for (ByteBuf in : inputs) {
      assertThat(in.refCnt()).as("input buffer leaked or over-released").isZero();
    }
    return received.toString(StandardCharsets.UTF_8);
  }

  private static ByteBuf buffer(byte[] bytes) {
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length + 2);
    buf.writeBytes(new byte[] {'\n', '\n'}).readerIndex(2); // ignored bytes before readerIndex
    return buf.writeBytes(bytes);
  }

  private static String concat(List<Object> out) {
    StringBuilder text = new StringBuilder();
    for (Object part : out) {
      text.append(((ByteBuf) part).toString(StandardCharsets.UTF_8));
    }
    return text.toString();
  }

  private static void release(List<Object> out) {
    for (Object part : out) {
      ((ByteBuf) part).release();
    }
  }
}
