package dev.tollgate.core.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.config.TestConfigs;
import dev.tollgate.core.context.ChannelAttrs;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.route.Router;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UsageTapHandlerTest {

  private final List<TokenUsage> usageSeenAtLastChunk = new ArrayList<>();
  private RequestContext request;

  @Test
  void removesTheInjectedUsageEventAndRecordsUsageBeforeTheLastChunkPasses() {
    EmbeddedChannel channel = newChannel("/v1/chat/completions", true);
    ByteBuf content = bytes(SseUsageChunkFilterTest.CONTENT_EVENTS);
    ByteBuf tail = bytes(SseUsageChunkFilterTest.USAGE_EVENT + SseUsageChunkFilterTest.DONE);

    channel.writeInbound(response("text/event-stream"), new DefaultHttpContent(content),
        new DefaultLastHttpContent(tail));

    assertThat(readBody(channel)).isEqualTo(SseUsageChunkFilterTest.CONTENT_EVENTS + SseUsageChunkFilterTest.DONE);
    assertThat(content.refCnt()).isZero();
    assertThat(tail.refCnt()).isZero();
    assertThat(usageSeenAtLastChunk).containsExactly(TokenUsage.of(12, 5));
    assertThat(request.usage().inputTokens()).isEqualTo(12);
    assertThat(request.usage().outputTokens()).isEqualTo(5);
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void endsWithAnEmptyLastChunkWhenTheFilterLeavesNothingOfIt() {
    EmbeddedChannel channel = newChannel("/v1/chat/completions", true);

    channel.writeInbound(response("text/event-stream"),
        new DefaultHttpContent(bytes(SseUsageChunkFilterTest.CONTENT_EVENTS + SseUsageChunkFilterTest.DONE)),
        new DefaultLastHttpContent(bytes(SseUsageChunkFilterTest.USAGE_EVENT)));

    assertThat(readBody(channel)).isEqualTo(SseUsageChunkFilterTest.CONTENT_EVENTS + SseUsageChunkFilterTest.DONE);
    assertThat(usageSeenAtLastChunk).containsExactly(TokenUsage.of(12, 5));
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void keepsTheUsageEventWhenTheClientAskedForItItself() {
    EmbeddedChannel channel = newChannel("/v1/chat/completions", false);
    String stream = SseUsageChunkFilterTest.CONTENT_EVENTS + SseUsageChunkFilterTest.USAGE_EVENT
        + SseUsageChunkFilterTest.DONE;

    channel.writeInbound(response("text/event-stream"), new DefaultLastHttpContent(bytes(stream)));

    assertThat(readBody(channel)).isEqualTo(stream);
    assertThat(usageSeenAtLastChunk).containsExactly(TokenUsage.of(12, 5));
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void readsUsageAndModelFromAPlainJsonResponseWithoutChangingIt() {
    EmbeddedChannel channel = newChannel("/v1/chat/completions", false);
    String json = "{\"id\":\"c1\",\"model\":\"gpt-4o-mini-2024\",\"choices\":[],"
        + "\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,\"total_tokens\":10}}";
    ByteBuf body = bytes(json);

    channel.writeInbound(response("application/json"), new DefaultLastHttpContent(body));

    HttpResponse response = channel.readInbound();
    assertThat(response.status()).isEqualTo(HttpResponseStatus.OK);
    LastHttpContent last = channel.readInbound();
    assertThat(last.content()).isSameAs(body);
    last.release();
    assertThat(request.usage()).isEqualTo(TokenUsage.of(7, 3));
    assertThat(request.responseModel()).isEqualTo("gpt-4o-mini-2024");
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void aWholeStreamedAnswerIsFilteredAndItsHeadPassesAlone() {
    // a stream whose every event came with its head, with a length: the decoder hands it on whole
    EmbeddedChannel channel = newChannel("/v1/chat/completions", true);
    String stream = SseUsageChunkFilterTest.CONTENT_EVENTS + SseUsageChunkFilterTest.USAGE_EVENT
        + SseUsageChunkFilterTest.DONE;
    ByteBuf body = bytes(stream);
    DefaultFullHttpResponse whole = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
    whole.headers().set("content-type", "text/event-stream").set("content-length", body.readableBytes());

    channel.writeInbound(whole);

    HttpResponse head = channel.readInbound();
    assertThat(head).isNotInstanceOf(HttpContent.class);
    assertThat(head.headers().get("content-type")).isEqualTo("text/event-stream");
    assertThat(readBody(channel)).isEqualTo(SseUsageChunkFilterTest.CONTENT_EVENTS + SseUsageChunkFilterTest.DONE);
    assertThat(body.refCnt()).isZero();
    assertThat(usageSeenAtLastChunk).containsExactly(TokenUsage.of(12, 5));
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void readsUsageFromAWholeJsonAnswerAndPassesItOnAsItCame() {
    EmbeddedChannel channel = newChannel("/v1/chat/completions", false);
    ByteBuf body = bytes("{\"model\":\"m-1\",\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3}}");
    DefaultFullHttpResponse whole = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
    whole.headers().set("content-type", "application/json");

    channel.writeInbound(whole);

    assertThat((Object) channel.readInbound()).isSameAs(whole);
    whole.release();
    assertThat(usageSeenAtLastChunk).containsExactly(TokenUsage.of(7, 3));
    assertThat(request.responseModel()).isEqualTo("m-1");
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void leavesAnErrorResponseAlone() {
    EmbeddedChannel channel = newChannel("/v1/chat/completions", true);
    DefaultHttpResponse error = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.TOO_MANY_REQUESTS);
    error.headers().set("content-type", "text/event-stream");
    ByteBuf body = bytes(SseUsageChunkFilterTest.USAGE_EVENT);

    channel.writeInbound(error, new DefaultLastHttpContent(body));

    assertThat(readBody(channel)).isEqualTo(SseUsageChunkFilterTest.USAGE_EVENT);
    assertThat(request.usage().isEmpty()).isTrue();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void releasesAHeldPartialEventWhenTheUpstreamCloses() {
    EmbeddedChannel channel = newChannel("/v1/chat/completions", true);
    ByteBuf partial = bytes(SseUsageChunkFilterTest.CONTENT_EVENTS + "data: {\"id\":\"c1\",");

    channel.writeInbound(response("text/event-stream"), new DefaultHttpContent(partial));
    assertThat(readBody(channel)).isEqualTo(SseUsageChunkFilterTest.CONTENT_EVENTS);
    assertThat(partial.refCnt()).isOne(); // the filter still holds the incomplete event

    channel.close();

    assertThat(partial.refCnt()).isZero();
    assertThat(channel.finish()).isFalse();
  }

  private EmbeddedChannel newChannel(String uri, boolean usageInjected) {
    request = new RequestContext("req_test", System.nanoTime(), System.currentTimeMillis(),
        TestConfigs.gateway(), "POST", uri);
    request.route(new Router(request.config()).route(uri));
    request.stream(true);
    request.usageInjected(usageInjected);
    EmbeddedChannel channel = new EmbeddedChannel(new UsageTapHandler(), new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof LastHttpContent) {
          // what the relay (and then the metrics stage) would see when the response ends
          usageSeenAtLastChunk.add(request.usage());
        }
        ctx.fireChannelRead(msg);
      }
    });
    channel.attr(ChannelAttrs.UPSTREAM_REQUEST).set(request);
    return channel;
  }

  /** Reads the response head and every content chunk, releasing them, and returns the body text. */
  private static String readBody(EmbeddedChannel channel) {
    StringBuilder body = new StringBuilder();
    Object msg;
    while ((msg = channel.readInbound()) != null) {
      if (msg instanceof HttpContent content) {
        body.append(content.content().toString(StandardCharsets.UTF_8));
        content.release();
      }
    }
    return body.toString();
  }

  private static HttpResponse response(String contentType) {
    DefaultHttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    response.headers().set("content-type", contentType);
    return response;
  }

  private static ByteBuf bytes(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
  }
}
