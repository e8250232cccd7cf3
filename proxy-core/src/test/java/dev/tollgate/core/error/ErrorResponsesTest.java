package dev.tollgate.core.error;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.config.TestConfigs;
import dev.tollgate.core.context.ChannelAttrs;
import dev.tollgate.core.context.RequestContext;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ErrorResponsesTest {

  @Test
  void writesTheOpenAiShapeWithTheDocumentedFields() {
    EmbeddedChannel channel = newChannel("/openai/v1/chat/completions");

    ErrorResponses.send(ctx(channel), GatewayError.UNAUTHENTICATED);

    WrittenResponse response = WrittenResponse.read(channel);
    assertThat(response.status()).isEqualTo(401);
    assertThat(response.headers().get("content-type")).isEqualTo("application/json");
    assertThat(response.headers().getInt("content-length"))
        .isEqualTo(response.body().getBytes(StandardCharsets.UTF_8).length);
    assertThat(response.headers().get(ErrorResponses.REQUEST_ID_HEADER)).isEqualTo("req_test");
    JsonNode error = response.json().get("error");
    assertThat(error.get("message").asText()).isEqualTo(GatewayError.UNAUTHENTICATED.message());
    assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.get("param").isNull()).isTrue();
    assertThat(error.get("code").asText()).isEqualTo("invalid_api_key");
    assertThat(response.json().size()).isEqualTo(1);
    assertThat(context(channel).errorCode()).isEqualTo("invalid_api_key");
    assertThat(channel.isOpen()).isTrue();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void writesTheAnthropicShapeWithTheDocumentedFields() {
    EmbeddedChannel channel = newChannel("/v1/messages");

    ErrorResponses.send(ctx(channel), GatewayError.UPSTREAM_TIMEOUT);

    WrittenResponse response = WrittenResponse.read(channel);
    assertThat(response.status()).isEqualTo(504);
    JsonNode body = response.json();
    assertThat(body.get("type").asText()).isEqualTo("error");
    assertThat(body.get("error").get("type").asText()).isEqualTo("timeout_error");
    assertThat(body.get("error").get("message").asText()).isEqualTo(GatewayError.UPSTREAM_TIMEOUT.message());
    assertThat(body.get("request_id").asText()).isEqualTo("req_test");
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void escapesTheMessageSoTheBodyStaysValidJson() {
    EmbeddedChannel channel = newChannel("/v1/chat/completions");
    String message = "Unknown route: POST /v1/\"x\"\n\\ é \u0001";

    ErrorResponses.send(ctx(channel), GatewayError.NOT_FOUND, message);

    assertThat(WrittenResponse.read(channel).json().get("error").get("message").asText()).isEqualTo(message);
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void addsRetryAfterAndOtherExtraHeaders() {
    EmbeddedChannel channel = newChannel("/v1/chat/completions");
    HttpHeaders extra = new DefaultHttpHeaders()
        .set("retry-after", "3")
        .set("x-ratelimit-remaining-requests", "0");

    ErrorResponses.send(ctx(channel), GatewayError.RATE_LIMITED, GatewayError.RATE_LIMITED.message(), extra, false);

    WrittenResponse response = WrittenResponse.read(channel);
    assertThat(response.status()).isEqualTo(429);
    assertThat(response.headers().get("retry-after")).isEqualTo("3");
    assertThat(response.headers().get("x-ratelimit-remaining-requests")).isEqualTo("0");
    assertThat(response.json().get("error").get("type").asText()).isEqualTo("rate_limit_error");
    assertThat(channel.isOpen()).isTrue();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void closesTheConnectionAfterTheResponseWhenAsked() {
    EmbeddedChannel channel = newChannel("/v1/chat/completions");

    ErrorResponses.send(ctx(channel), GatewayError.BAD_REQUEST, "bad", null, true);

    WrittenResponse response = WrittenResponse.read(channel);
    assertThat(response.headers().get("connection")).isEqualTo("close");
    assertThat(channel.isOpen()).isFalse();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void closesInsteadOfWritingASecondResponseOnceTheResponseHasStarted() {
    EmbeddedChannel channel = newChannel("/v1/chat/completions");
    context(channel).responseStarted(true);

    ErrorResponses.send(ctx(channel), GatewayError.UPSTREAM_UNAVAILABLE);

    assertThat((Object) channel.readOutbound()).isNull();
    assertThat(channel.isOpen()).isFalse();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void usesTheOpenAiShapeAndAFreshRequestIdWithoutARequestContext() {
    EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());

    ErrorResponses.send(ctx(channel), GatewayError.HEADERS_TOO_LARGE);

    WrittenResponse response = WrittenResponse.read(channel);
    assertThat(response.status()).isEqualTo(431);
    assertThat(response.headers().get(ErrorResponses.REQUEST_ID_HEADER)).matches("req_[0-9a-f]{20}");
    assertThat(response.errorCode()).isEqualTo("headers_too_large");
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void everyCatalogueEntryProducesParseableBodiesInBothDialects() {
    for (GatewayError error : GatewayError.values()) {
      for (ErrorDialect dialect : ErrorDialect.values()) {
        JsonNode body = new WrittenResponse(error.status().code(), new DefaultHttpHeaders(),
            new String(dialect.body(error, error.message(), "req_1"), StandardCharsets.UTF_8)).json();
        assertThat(body.path("error").path("code").asText()).as(error + " " + dialect).isEqualTo(error.code());
      }
    }
  }

  @Test
  void errorHandlerTurnsAnUnhandledExceptionIntoInternalAndCloses() {
    EmbeddedChannel channel = newChannelWithErrorHandler("/v1/messages");

    channel.pipeline().fireExceptionCaught(new IllegalStateException("secret detail"));

    WrittenResponse response = WrittenResponse.read(channel);
    assertThat(response.status()).isEqualTo(500);
    assertThat(response.json().get("error").get("type").asText()).isEqualTo("api_error");
    assertThat(response.body()).doesNotContain("secret detail").doesNotContain("IllegalStateException");
    assertThat(channel.isOpen()).isFalse();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void errorHandlerOnlyClosesOnceTheResponseHasStarted() {
    EmbeddedChannel channel = newChannelWithErrorHandler("/v1/chat/completions");
    context(channel).responseStarted(true);

    channel.pipeline().fireExceptionCaught(new IllegalStateException("boom"));

    assertThat((Object) channel.readOutbound()).isNull();
    assertThat(channel.isOpen()).isFalse();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void errorHandlerClosesQuietlyOnNetworkErrors() {
    EmbeddedChannel channel = newChannelWithErrorHandler("/v1/chat/completions");

    channel.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));

    assertThat((Object) channel.readOutbound()).isNull();
    assertThat(channel.isOpen()).isFalse();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void errorHandlerReleasesAnUnconsumedRequestAndAnswersInternal() {
    EmbeddedChannel channel = newChannelWithErrorHandler("/v1/chat/completions");
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
        "/v1/chat/completions", Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8));

    channel.writeInbound(request);

    assertThat(request.refCnt()).isZero();
    assertThat(WrittenResponse.read(channel).status()).isEqualTo(500);
    assertThat(channel.finish()).isFalse();
  }

  private static EmbeddedChannel newChannel(String uri) {
    EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    channel.attr(ChannelAttrs.REQUEST_CONTEXT).set(new RequestContext("req_test", System.nanoTime(),
        System.currentTimeMillis(), TestConfigs.gateway(), "POST", uri));
    return channel;
  }

  private static EmbeddedChannel newChannelWithErrorHandler(String uri) {
    EmbeddedChannel channel = new EmbeddedChannel(new ErrorHandler());
    channel.attr(ChannelAttrs.REQUEST_CONTEXT).set(new RequestContext("req_test", System.nanoTime(),
        System.currentTimeMillis(), TestConfigs.gateway(), "POST", uri));
    return channel;
  }

  private static ChannelHandlerContext ctx(EmbeddedChannel channel) {
    return channel.pipeline().firstContext();
  }

  private static RequestContext context(EmbeddedChannel channel) {
    return channel.attr(ChannelAttrs.REQUEST_CONTEXT).get();
  }
}
