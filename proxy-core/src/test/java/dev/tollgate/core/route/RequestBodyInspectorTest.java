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
      "{\"stream_options\":[1,2],\"tools\":{\"a\":{\"b\":{\"c\":[[[]]]}}}}");

  private static final List<String> INVALID = List.of(
      "", "[]", "{", "{\"model\":\"x\"", "{\"model\":\"x\",}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":-}",
      "{\"a\":tru}", "{\"a\":truex}", "{\"a\":\"\\q\"}", "{\"a\":\"\\u12g4\"}", "{\"a\":\"tab\there\"}",
      "{\"a\":1}{}", "{\"a\":1} x", "{a:1}", "{\"a\" 1}", "{\"a\":[1,]}", "{\"a\":[1 2]}",
      "{\"max_tokens\":99999999999999999999}", "{\"model\":{\"stream\":true}", "{'a':1}");

  private static final List<String> LEFT_TO_JACKSON = List.of(
      "\uFEFF{\"model\":\"bom\"}", "{\"model\":\"caf\u00e9\"}", "{\"m\\u006fdel\":\"escaped-name\"}",
      "{\"model\":\"x\\ty\"}", "{\"content\":\"\u4f60\u597d\",\"model\":\"m\"}",
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

  /** Inspecting the body gives the same fields, or the same refusal, as Jackson alone. */
  private static void assertSameAsJackson(String body) throws IOException {
    RequestContext expected = newContext();
    boolean jacksonRefuses = refuses(() -> RequestBodyInspector.inspectWithJackson(buffer(body), expected));
    RequestContext actual = newContext();
    boolean refused = refuses(() -> RequestBodyInspector.inspect(buffer(body), actual));
    assertThat(refused).as("refused: %s", body).isEqualTo(jacksonRefuses);
    if (!refused) {
      assertThat(actual.requestModel()).as(body).isEqualTo(expected.requestModel());
      assertThat(actual.stream()).as(body).isEqualTo(expected.stream());
      assertThat(actual.clientIncludeUsage()).as(body).isEqualTo(expected.clientIncludeUsage());
      assertThat(actual.maxOutputTokens()).as(body).isEqualTo(expected.maxOutputTokens());
    }
  }

  private static boolean refuses(Inspection inspection) {
    try {
      inspection.run();
      return false;
    } catch (IOException | RuntimeException e) {
      return true;
    }
  }

  private static ByteBuf buffer(String body) {
    return Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8));
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
