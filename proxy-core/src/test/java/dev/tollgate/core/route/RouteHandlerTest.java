package dev.tollgate.core.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.config.TestConfigs;
import dev.tollgate.core.context.ChannelAttrs;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.error.WrittenResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RouteHandlerTest {

  @Test
  void routesAndReadsModelStreamIncludeUsageAndMaxTokens() {
    String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi {\\\"model\\\":\\\"x\\\"}\"}],"
        + "\"model\":\"gpt-4o-mini\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
        + "\"max_completion_tokens\":256,\"metadata\":{\"model\":\"nested\"}}";
    EmbeddedChannel channel = newChannel("/openai/v1/chat/completions?x=1");
    FullHttpRequest request = post("/openai/v1/chat/completions?x=1", body);

    channel.writeInbound(request);

    FullHttpRequest passed = channel.readInbound();
    assertThat(passed).isSameAs(request);
    assertThat(passed.content().readerIndex()).isZero();
    passed.release();
    RequestContext context = context(channel);
    assertThat(context.route().providerName()).isEqualTo("openai");
    assertThat(context.route().upstreamUri()).isEqualTo("/v1/chat/completions?x=1");
    assertThat(context.requestModel()).isEqualTo("gpt-4o-mini");
    assertThat(context.stream()).isTrue();
    assertThat(context.clientIncludeUsage()).isTrue();
    assertThat(context.maxOutputTokens()).isEqualTo(256);
    assertThat(context.requestBytes()).isEqualTo(body.length());
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void readsAnthropicMaxTokensOnBareMessages() {
    EmbeddedChannel channel = newChannel("/v1/messages");

    channel.writeInbound(post("/v1/messages", "{\"model\":\"claude-x\",\"max_tokens\":1024}"));

    FullHttpRequest passed = channel.readInbound();
    passed.release();
    RequestContext context = context(channel);
    assertThat(context.route().providerName()).isEqualTo("anthropic");
    assertThat(context.requestModel()).isEqualTo("claude-x");
    assertThat(context.stream()).isFalse();
    assertThat(context.maxOutputTokens()).isEqualTo(1024);
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void answersUnknownRoutesWith404InTheOpenAiDialect() {
    EmbeddedChannel channel = newChannel("/mistral/v1/chat/completions");
    FullHttpRequest request = post("/mistral/v1/chat/completions", "{}");

    channel.writeInbound(request);

    assertThat(request.refCnt()).isZero();
    assertThat((Object) channel.readInbound()).isNull();
    WrittenResponse response = WrittenResponse.read(channel);
    assertThat(response.status()).isEqualTo(404);
    assertThat(response.json().get("error").get("code").asText()).isEqualTo("unknown_route");
    assertThat(response.json().get("error").get("message").asText()).contains("/mistral/v1/chat/completions");
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void answersUnknownAnthropicRoutesWith404InTheAnthropicDialect() {
    EmbeddedChannel channel = newChannel("/anthropic/v2/messages");
    FullHttpRequest request = post("/anthropic/v2/messages", "{}");

    channel.writeInbound(request);

    assertThat(request.refCnt()).isZero();
    WrittenResponse response = WrittenResponse.read(channel);
    assertThat(response.status()).isEqualTo(404);
    assertThat(response.json().get("type").asText()).isEqualTo("error");
    assertThat(response.json().get("error").get("type").asText()).isEqualTo("not_found_error");
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void refusesAMalformedJsonBodyWith400InTheRoutesDialect() {
    EmbeddedChannel channel = newChannel("/v1/messages");
    FullHttpRequest request = post("/v1/messages", "{\"model\":\"claude\",");

    channel.writeInbound(request);

    assertThat(request.refCnt()).isZero();
    assertThat((Object) channel.readInbound()).isNull();
    WrittenResponse response = WrittenResponse.read(channel);
    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().get("type").asText()).isEqualTo("error");
    assertThat(response.json().get("error").get("code").asText()).isEqualTo("bad_request");
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void refusesTrailingContentAfterTheJsonObject() {
    EmbeddedChannel channel = newChannel("/v1/chat/completions");
    FullHttpRequest request = post("/v1/chat/completions", "{\"model\":\"m\"} {}");

    channel.writeInbound(request);

    assertThat(request.refCnt()).isZero();
    assertThat(WrittenResponse.read(channel).status()).isEqualTo(400);
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void passesANonJsonBodyWithoutInspectingIt() {
    EmbeddedChannel channel = newChannel("/v1/audio/transcriptions");
    FullHttpRequest request = post("/v1/audio/transcriptions", "--boundary\r\nnot json");
    request.headers().set("content-type", "multipart/form-data; boundary=boundary");

    channel.writeInbound(request);

    FullHttpRequest passed = channel.readInbound();
    assertThat(passed).isSameAs(request);
    passed.release();
    assertThat(context(channel).route().operation()).isEqualTo(Operation.OTHER);
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void readsAJsonBodyHeldInADirectBuffer() {
    EmbeddedChannel channel = newChannel("/v1/chat/completions");
    byte[] bytes = "{\"model\":\"direct\",\"stream\":true}".getBytes(StandardCharsets.UTF_8);
    ByteBuf direct = Unpooled.directBuffer(bytes.length).writeBytes(bytes);

    channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/chat/completions", direct));

    FullHttpRequest passed = channel.readInbound();
    assertThat(passed.content().readableBytes()).isEqualTo(bytes.length);
    passed.release();
    assertThat(context(channel).requestModel()).isEqualTo("direct");
    assertThat(context(channel).stream()).isTrue();
    assertThat(channel.finish()).isFalse();
  }

  private static EmbeddedChannel newChannel(String uri) {
    EmbeddedChannel channel = new EmbeddedChannel(new RouteHandler());
    channel.attr(ChannelAttrs.REQUEST_CONTEXT).set(new RequestContext("req_test", System.nanoTime(),
        System.currentTimeMillis(), TestConfigs.gateway(), "POST", uri));
    return channel;
  }

  private static RequestContext context(EmbeddedChannel channel) {
    return channel.attr(ChannelAttrs.REQUEST_CONTEXT).get();
  }

  private static FullHttpRequest post(String uri, String body) {
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri,
        Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    request.headers().set("content-type", "application/json");
    return request;
  }
}
