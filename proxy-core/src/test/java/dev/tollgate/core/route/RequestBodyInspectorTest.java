package dev.tollgate.core.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.config.TestConfigs;
import dev.tollgate.core.context.RequestContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The plain-JSON path reads what Jackson reads, refuses what it refuses, and leaves the rest to it. */
class RequestBodyInspectorTest {

  private static final List<String> PLAIN = List.of(
      "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi \\\"there\\\"\\n\\u00e9\"}],"
          + "\"stream\":true,\"stream_options\":{\"include_usage\":true},\"max_tokens\":1024}",
      " {} ",
      "{\"model\":null,\"stream\":\"true\",\"max_output_tokens\":-0,\"max_completion_tokens\":2.5e3}",
      "{\"model\":\"a\",\"model\":\"b\",\"stream\":false,\"temperature\":0.7,\"n\":[1,-2.0E-3,true,null,{}]}",
      "{\"stream_options\":{\"other\":{\"include_usage\":true},\"include_usage\":false},\"max_tokens\":-7}",
      "{\"stream_options\":[1,2],\"tools\":{\"a\":{\"b\":{\"c\":[[[]]]}}}}",
      "{\"content\":\"\u4f60\u597d\",\"model\":\"m\"}",
      "{\"messages\":[{\"content\":\"Caf\u00e9 cr\u00e8me \u2014 \u00ab d\u00e9j\u00e0 vu \u00bb, na\u00efve \uD83D\uDE00!\"}],"
          + "\"model\":\"gpt-4o\"}",
      "{\"messages\":[{\"content\":\"" + "a long prompt, eight bytes at a time; ".repeat(40) + "\\\"end\\\"\"}],"
          + "\"stream\":true}");

  private static final List<String> INVALID = List.of(
      "", "[]", "{", "{\"model\":\"x\"", "{\"model\":\"x\",}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":-}",
      "{\"a\":tru}", "{\"a\":truex}", "{\"a\":\"\\q\"}", "{\"a\":\"\\u12g4\"}", "{\"a\":\"tab\there\"}",
      "{\"a\":1}{}", "{\"a\":1} x", "{a:1}", "{\"a\" 1}", "{\"a\":[1,]}", "{\"a\":[1 2]}",
      "{\"max_tokens\":99999999999999999999}", "{\"model\":{\"stream\":true}", "{'a':1}");

  private static final List<String> LEFT_TO_JACKSON = List.of(
      "\uFEFF{\"model\":\"bom\"}", "{\"model\":\"caf\u00e9\"}", "{\"m\\u006fdel\":\"escaped-name\"}",
      "{\"model\":\"x\\ty\"}",
      "{\"max_tokens\":1234567890123456789}", "{\"model\":{\"stream\":true},\"stream\":false}",
      "{\"stream_options\":{\"include_usage\":{\"include_usage\":true}},\"model\":\"m\"}",
      "{\"model\":\"" + "m".repeat(300) + "\"}", "{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}");

  @Test
  void readsPlainBodiesWithoutJacksonAndAsJacksonDoes() throws IOException {
    for (String body : PLAIN) {
      assertThat(readsPlainly(body)).as(body).isTrue();
      assertSameAsJackson(body);
    }
  }

  @Test
  void refusesEveryBodyJacksonRefuses() throws IOException {
    for (String body : INVALID) {
      assertThat(readsPlainly(body)).as(body).isFalse();
      assertSameAsJackson(body);
    }
  }

  @Test
  void leavesUnusualBodiesToJackson() throws IOException {
    for (String body : LEFT_TO_JACKSON) {
      assertThat(readsPlainly(body)).as(body).isFalse();
      assertSameAsJackson(body);
    }
  }

  @Test
  void leavesTextThatIsNotWellFormedUtf8ToJackson() throws IOException {
    List<byte[]> notWellFormed = List.of(
        new byte[] {(byte) 0x80}, // a continuation byte alone
        new byte[] {(byte) 0xC3}, // cut short before the closing quote
        new byte[] {(byte) 0xC0, (byte) 0x80}, // an overlong NUL
        new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0x80}, // an overlong three-byte form
        new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // a surrogate
        new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // past U+10FFFF
        new byte[] {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80},
        new byte[] {(byte) 0xE4, (byte) 0xBD, 'x'}, // a continuation replaced by ASCII
        new byte[] {(byte) 0xFF});
    for (byte[] text : notWellFormed) {
      byte[] body = contentBody(text);
      assertThat(PlainJsonBody.read(body, 0, body.length, newContext())).as(hex(text)).isFalse();
      assertSameAsJackson(body);
    }
  }

  @Test
  void readsRandomTextAsJacksonDoesWhereverItsSpecialBytesFall() throws IOException {
    Random random = new Random(20261123);
    byte[][] pieces = {ascii("a"), ascii("word "), ascii("\\\""), ascii("\\n"), ascii("\\u00e9"), ascii("\\/"),
        utf8("\u00e9"), utf8("\u20ac"), utf8("\u4f60"), utf8("\uD83D\uDE00"), {(byte) 0x80}, {(byte) 0xC0, (byte) 0xAF},
        {(byte) 0xED, (byte) 0xB0, (byte) 0x80}, {0x01}, ascii("\\x")};
    int plain = 0;
    for (int round = 0; round < 2_000; round++) {
      java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
      for (int n = random.nextInt(40); n > 0; n--) {
        // mostly text that stays plain, now and then a piece that leaves the subset or is refused
        byte[] piece = pieces[random.nextInt(random.nextInt(10) == 0 ? pieces.length : 10)];
        text.write(piece, 0, piece.length);
      }
      byte[] body = contentBody(text.toByteArray());
      plain += PlainJsonBody.read(body, 0, body.length, newContext()) ? 1 : 0;
      assertSameAsJackson(body);
    }
    assertThat(plain).as("bodies read plainly").isBetween(500, 1_900);
  }

  @Test
  void readsDirectAndHeapBodiesAlikeAndLeavesThemUntouched() throws IOException {
    byte[] bytes = PLAIN.get(0).getBytes(StandardCharsets.UTF_8);
    ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(new byte[] {'x'}).writeBytes(bytes);
    ByteBuf heap = Unpooled.wrappedBuffer(bytes);
    try {
      direct.readerIndex(1);
      for (ByteBuf body : List.of(direct, heap)) {
        int readerIndex = body.readerIndex();
        RequestContext context = newContext();
        RequestBodyInspector.inspect(body, context);
        assertThat(context.requestModel()).isEqualTo("gpt-4o");
        assertThat(context.maxOutputTokens()).isEqualTo(1024);
        assertThat(body.readerIndex()).isEqualTo(readerIndex);
        assertThat(body.refCnt()).isEqualTo(1);
      }
    } finally {
      direct.release();
      heap.release();
    }
  }

  private static boolean readsPlainly(String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return PlainJsonBody.read(bytes, 0, bytes.length, newContext());
  }

  private static void assertSameAsJackson(String body) throws IOException {
    assertSameAsJackson(body.getBytes(StandardCharsets.UTF_8));
  }

  /** Inspecting the body gives the same fields, or the same refusal, as Jackson alone. */
  private static void assertSameAsJackson(byte[] body) throws IOException {
    String what = hex(body);
    RequestContext expected = newContext();
    boolean jacksonRefuses = refuses(() -> RequestBodyInspector.inspectWithJackson(Unpooled.wrappedBuffer(body),
        expected));
    RequestContext actual = newContext();
    boolean refused = refuses(() -> RequestBodyInspector.inspect(Unpooled.wrappedBuffer(body), actual));
    assertThat(refused).as("refused: %s", what).isEqualTo(jacksonRefuses);
    if (!refused) {
      assertThat(actual.requestModel()).as(what).isEqualTo(expected.requestModel());
      assertThat(actual.stream()).as(what).isEqualTo(expected.stream());
      assertThat(actual.clientIncludeUsage()).as(what).isEqualTo(expected.clientIncludeUsage());
      assertThat(actual.maxOutputTokens()).as(what).isEqualTo(expected.maxOutputTokens());
    }
  }

  /** A chat body whose one message's content is {@code text}, bytes as they are, then the model. */
  private static byte[] contentBody(byte[] text) {
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    body.writeBytes(ascii("{\"messages\":[{\"role\":\"user\",\"content\":\""));
    body.writeBytes(text);
    body.writeBytes(ascii("\"}],\"model\":\"gpt-4o\",\"stream\":true}"));
    return body.toByteArray();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The body as text, its bytes beyond ASCII and control bytes as hex, for a failure's message. */
  private static String hex(byte[] bytes) {
    StringBuilder out = new StringBuilder();
    for (byte b : bytes) {
      out.append(b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("<%02x>", b & 0xff));
    }
    return out.toString();
  }

  private static boolean refuses(Inspection inspection) {
    try {
      inspection.run();
      return false;
    } catch (IOException | RuntimeException e) {
      return true;
    }
  }

  private static RequestContext newContext() {
    return new RequestContext("req_test", System.nanoTime(), System.currentTimeMillis(),
        TestConfigs.gateway(), "POST", "/v1/chat/completions");
  }

  @FunctionalInterface
  private interface Inspection {
    void run() throws IOException;
  }
}
