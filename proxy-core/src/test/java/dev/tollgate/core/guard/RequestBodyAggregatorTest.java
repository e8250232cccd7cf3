package dev.tollgate.core.guard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.config.TestConfigs;
import dev.tollgate.core.context.ChannelAttrs;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.error.WrittenResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestBodyAggregatorTest {

  private static final int MAX_BODY_BYTES = 64;

  @Test
  void refusesABodyOverTheLimitWith413InOpenAiShapeAndCloses() {
    EmbeddedChannel channel = newChannel("/v1/chat/completions");

    channel.writeInbound(bytes(post("/v1/chat/completions", "x".repeat(MAX_BODY_BYTES + 1))));

    assertThat((Object) channel.readInbound()).isNull();
    WrittenResponse response = WrittenResponse.read(channel);
    assertThat(response.status()).isEqualTo(413);
    JsonNode error = response.json().get("error");
    assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.get("code").asText()).isEqualTo("payload_too_large");
    assertThat(error.get("message").asText()).contains(Integer.toString(MAX_BODY_BYTES));
    assertThat(response.json().has("type")).isFalse();
    assertThat(channel.isOpen()).isFalse();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void refusesABodyOverTheLimitWith413InAnthropicShapeForMessages() {
    EmbeddedChannel channel = newChannel("/v1/messages");

    channel.writeInbound(bytes(post("/v1/messages", "x".repeat(MAX_BODY_BYTES + 1))));

    WrittenResponse response = WrittenResponse.read(channel);
    assertThat(response.status()).isEqualTo(413);
    assertThat(response.json().get("type").asText()).isEqualTo("error");
    assertThat(response.json().get("error").get("type").asText()).isEqualTo("request_too_large");
    assertThat(response.json().get("request_id").asText()).isEqualTo("req_test");
    assertThat(channel.isOpen()).isFalse();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void refusesAChunkedBodyThatGrowsOverTheLimit() {
    EmbeddedChannel channel = newChannel("/v1/chat/completions");
    String chunk = "x".repeat(40);

    channel.writeInbound(bytes("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "28\r\n" + chunk + "\r\n28\r\n" + chunk + "\r\n0\r\n\r\n"));

    assertThat((Object) channel.readInbound()).isNull();
    assertThat(WrittenResponse.read(channel).status()).isEqualTo(413);
    assertThat(channel.isOpen()).isFalse();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void refusesAnOversizedBodyAnnouncedWithExpectContinueInTheRoutesDialect() {
    EmbeddedChannel channel = newChannel("/v1/messages");

    channel.writeInbound(bytes("POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Expect: 100-continue\r\nContent-Length: " + (MAX_BODY_BYTES + 1) + "\r\n\r\n"));

    assertThat((Object) channel.readInbound()).isNull();
    WrittenResponse response = WrittenResponse.read(channel);
    assertThat(response.status()).isEqualTo(413);
    assertThat(response.json().get("error").get("type").asText()).isEqualTo("request_too_large");
    assertThat(channel.isOpen()).isFalse();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void stillAnswers100ContinueForABodyWithinTheLimit() {
    EmbeddedChannel channel = newChannel("/v1/chat/completions");

    channel.writeInbound(bytes("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
        + "Content-Length: 2\r\n\r\n"));
    ByteBuf interim = channel.readOutbound();
    assertThat(interim.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 100 Continue");
    interim.release();
    channel.writeInbound(bytes("{}"));

    FullHttpRequest request = channel.readInbound();
    assertThat(request.content().readableBytes()).isEqualTo(2);
    request.release();
    assertThat(channel.isOpen()).isTrue();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void aggregatesABodyWithinTheLimit() {
    EmbeddedChannel channel = newChannel("/v1/chat/completions");

    channel.writeInbound(bytes(post("/v1/chat/completions", "{\"model\":\"m\"}")));

    FullHttpRequest request = channel.readInbound();
    try {
      assertThat(request.content().toString(StandardCharsets.UTF_8)).isEqualTo("{\"model\":\"m\"}");
    } finally {
      request.release();
    }
    assertThat((Object) channel.readOutbound()).isNull();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void aggregatesABodyThatArrivesInSeveralReads() {
    EmbeddedChannel channel = newChannel("/v1/chat/completions");
    String body = "{\"model\":\"m\",\"n\":1}";

    channel.writeInbound(bytes("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: "
        + body.length() + "\r\n\r\n"));
    assertThat((Object) channel.readInbound()).isNull();
    channel.writeInbound(bytes(body.substring(0, 5)));
    assertThat((Object) channel.readInbound()).isNull();
    channel.writeInbound(bytes(body.substring(5)));

    FullHttpRequest request = channel.readInbound();
    try {
      assertThat(request.content().toString(StandardCharsets.UTF_8)).isEqualTo(body);
      assertThat(request.headers().getInt("content-length")).isEqualTo(body.length());
    } finally {
      request.release();
    }
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void aggregatesEachOfTwoPipelinedRequestsReadTogether() {
    EmbeddedChannel channel = newChannel("/v1/chat/completions");

    channel.writeInbound(bytes(post("/v1/chat/completions", "{\"model\":\"a\"}")
        + post("/v1/chat/completions", "{\"model\":\"b\"}")));

    for (String model : new String[] {"a", "b"}) {
      FullHttpRequest request = channel.readInbound();
      try {
        assertThat(request.content().toString(StandardCharsets.UTF_8)).isEqualTo("{\"model\":\"" + model + "\"}");
      } finally {
        request.release();
      }
    }
    assertThat((Object) channel.readInbound()).isNull();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void givesARequestWithoutABodyAnEmptyBodyAndALengthOfZero() {
    EmbeddedChannel channel = newChannel("/v1/models");

    channel.writeInbound(bytes("GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n"));

    FullHttpRequest request = channel.readInbound();
    try {
      assertThat(request.uri()).isEqualTo("/v1/models");
      assertThat(request.content().readableBytes()).isZero();
      assertThat(request.headers().getInt("content-length")).isZero();
      assertThat(request.trailingHeaders().isEmpty()).isTrue();
    } finally {
      request.release();
    }
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void passesNothingOnWhenTheClientLeavesBeforeTheBody() {
    for (String read : new String[] {"", "{\"mo"}) { // the head alone, and the head with part of the body
      EmbeddedChannel channel = newChannel("/v1/chat/completions");
      channel.writeInbound(bytes("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n" + read));
      channel.close();

      assertThat((Object) channel.readInbound()).isNull();
      assertThat(channel.isOpen()).isFalse();
    }
  }

  private static EmbeddedChannel newChannel(String uri) {
    EmbeddedChannel channel = new EmbeddedChannel(new GatewayHttpCodec(4096, 8192),
        new RequestGuardHandler(), new RequestBodyAggregator(MAX_BODY_BYTES));
    // the metrics stage opens the request context in the real pipeline
    channel.attr(ChannelAttrs.REQUEST_CONTEXT).set(new RequestContext("req_test", System.nanoTime(),
        System.currentTimeMillis(), TestConfigs.gateway(), "POST", uri));
    return channel;
  }

  private static String post(String uri, String body) {
    return "POST " + uri + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length() + "\r\n\r\n" + body;
  }

  private static ByteBuf bytes(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
  }
}
