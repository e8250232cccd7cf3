package dev.tollgate.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SseStampParserTest {

  private static final String STAMPED = ": t=123456789\n\ndata: {\"choices\":[]}\n\n";

  @Test
  void readsTheStampFromOneRead() {
    SseStampParser parser = new SseStampParser();

    feed(parser, STAMPED);

    assertThat(parser.done()).isTrue();
    assertThat(parser.stampNanos()).isEqualTo(123_456_789L);
  }

  @Test
  void readsTheStampSplitAcrossReadsAtEveryPosition() {
    String stamp = ": t=9876543210\n";
    for (int split = 0; split <= stamp.length(); split++) {
      SseStampParser parser = new SseStampParser();

      feed(parser, stamp.substring(0, split));
      assertThat(parser.done()).as("after %d bytes", split).isEqualTo(split == stamp.length());
      feed(parser, stamp.substring(split));

      assertThat(parser.stampNanos()).as("split at %d", split).isEqualTo(9_876_543_210L);
    }
  }

  @Test
  void readsOneByteAtATime() {
    SseStampParser parser = new SseStampParser();

    for (char c : STAMPED.toCharArray()) {
      feed(parser, String.valueOf(c));
    }

    assertThat(parser.stampNanos()).isEqualTo(123_456_789L);
  }

  @Test
  void readsANegativeStamp() {
    SseStampParser parser = new SseStampParser();

    feed(parser, ": t=-42\n\n");

    assertThat(parser.stampNanos()).isEqualTo(-42L);
  }

  @Test
  void findsNoStampInABodyThatStartsWithAnEvent() {
    SseStampParser parser = new SseStampParser();

    feed(parser, "data: {\"x\":1}\n\n: t=5\n\n");

    assertThat(parser.done()).isTrue();
    assertThat(parser.stampNanos()).isEqualTo(SseStampParser.NONE);
  }

  @ParameterizedTest
  @ValueSource(strings = {": t=\n", ": t=12x\n", ": t=12 \n", ": x=5\n", ":t=5\n", ": t=--5\n", ": t=1-2\n",
      ": t=99999999999999999999\n", ": keep-alive\n\n"})
  void findsNoStampInGarbage(String body) {
    SseStampParser parser = new SseStampParser();

    feed(parser, body);

    assertThat(parser.done()).isTrue();
    assertThat(parser.stampNanos()).isEqualTo(SseStampParser.NONE);
  }

  @Test
  void hasNoStampUntilItsLineEnds() {
    SseStampParser parser = new SseStampParser();

    feed(parser, ": t=123");

    assertThat(parser.done()).isFalse();
    assertThat(parser.stampNanos()).isEqualTo(SseStampParser.NONE);
  }

  @Test
  void leavesTheBufferIndexesAlone() {
    SseStampParser parser = new SseStampParser();
    ByteBuf content = Unpooled.copiedBuffer(STAMPED, StandardCharsets.US_ASCII);

    parser.feed(content);

    assertThat(content.readerIndex()).isZero();
    assertThat(content.writerIndex()).isEqualTo(STAMPED.length());
    content.release();
  }

  @Test
  void forgetsThePreviousBodyOnReset() {
    SseStampParser parser = new SseStampParser();
    feed(parser, STAMPED);

    parser.reset();
    feed(parser, "data: [DONE]\n\n");

    assertThat(parser.stampNanos()).isEqualTo(SseStampParser.NONE);
  }

  private static void feed(SseStampParser parser, String bytes) {
    ByteBuf content = Unpooled.copiedBuffer(bytes, StandardCharsets.US_ASCII);
    try {
      parser.feed(content);
    } finally {
      content.release();
    }
  }
}
