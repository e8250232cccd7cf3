package dev.tollgate.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.auth.Principal;
import dev.tollgate.core.config.ConfigHolder;
import dev.tollgate.core.config.TestConfigs;
import dev.tollgate.core.context.ChannelAttrs;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.error.ErrorResponses;
import dev.tollgate.core.route.Router;
import dev.tollgate.core.usage.UsageEvent;
import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MetricsHandlerTest {

  private final ConfigHolder config = TestConfigs.holder();
  private final GatewayMetrics metrics = new GatewayMetrics();
  private final List<UsageEvent> events = new ArrayList<>();

  @Test
  void opensARequestContextWithTheCurrentConfigSnapshot() {
    EmbeddedChannel channel = newChannel();
    FullHttpRequest request = request("/v1/chat/completions");

    channel.writeInbound(request);

    assertThat((Object) channel.readInbound()).isSameAs(request);
    request.release();
    RequestContext context = context(channel);
    assertThat(context.requestId()).matches("req_[0-9a-f]{20}");
    assertThat(context.config()).isSameAs(config.current());
    assertThat(context.method()).isEqualTo("POST");
    assertThat(context.uri()).isEqualTo("/v1/chat/completions");
    assertThat(metrics.inFlight().get()).isOne();
    channel.close();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void stampsTheRequestIdOnAResponseThatLacksOne() {
    EmbeddedChannel channel = newChannel();
    channel.writeInbound(request("/v1/models"));
    ReferenceCountUtil.release(channel.readInbound());
    String requestId = context(channel).requestId();

    channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));

    DefaultFullHttpResponse response = channel.readOutbound();
    assertThat(response.headers().get(ErrorResponses.REQUEST_ID_HEADER)).isEqualTo(requestId);
    response.release();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void keepsARequestIdTheResponseAlreadyCarries() {
    EmbeddedChannel channel = newChannel();
    channel.writeInbound(request("/v1/models"));
    ReferenceCountUtil.release(channel.readInbound());
    DefaultFullHttpResponse written = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    written.headers().set(ErrorResponses.REQUEST_ID_HEADER, "req_upstream");

    channel.writeOutbound(written);

    DefaultFullHttpResponse response = channel.readOutbound();
    assertThat(response.headers().getAll(ErrorResponses.REQUEST_ID_HEADER)).containsExactly("req_upstream");
    response.release();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void completesOnceWhenTheLastChunkIsWrittenEvenIfTheClientThenCloses() {
    EmbeddedChannel channel = newChannel();
    channel.writeInbound(request("/openai/v1/chat/completions"));
    ReferenceCountUtil.release(channel.readInbound());
    RequestContext context = authenticated(channel, "/openai/v1/chat/completions");
    AtomicInteger hookRuns = new AtomicInteger();
    context.onComplete(r -> hookRuns.incrementAndGet());

    channel.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
    channel.writeOutbound(new DefaultHttpContent(bytes("data: 1\n\n")));
    assertThat(hookRuns).hasValue(0);
    channel.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(hookRuns).hasValue(1);
    channel.close();

    assertThat(hookRuns).hasValue(1);
    assertThat(context.isCompleted()).isTrue();
    assertThat(events).hasSize(1);
    UsageEvent event = events.get(0);
    assertThat(event.status()).isEqualTo(200);
    assertThat(event.tenantId()).isEqualTo("ten_1");
    assertThat(event.provider()).isEqualTo("openai");
    assertThat(event.operation()).isEqualTo("chat.completions");
    assertThat(event.responseBytes()).isEqualTo(9);
    assertThat(requests("200")).isEqualTo(1.0);
    assertThat(metrics.inFlight().get()).isZero();
    assertThat(context(channel)).isNull();
    releaseOutbound(channel);
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void completesWithStatus499WhenTheClientGoesAwayFirst() {
    EmbeddedChannel channel = newChannel();
    channel.writeInbound(request("/openai/v1/chat/completions"));
    ReferenceCountUtil.release(channel.readInbound());
    RequestContext context = authenticated(channel, "/openai/v1/chat/completions");
    AtomicInteger hookRuns = new AtomicInteger();
    context.onComplete(r -> hookRuns.incrementAndGet());
    channel.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));

    channel.close();

    assertThat(hookRuns).hasValue(1);
    assertThat(context.status()).isEqualTo(MetricsHandler.CLIENT_CLOSED_REQUEST);
    assertThat(events).singleElement().extracting(UsageEvent::status).isEqualTo(499);
    assertThat(requests("499")).isEqualTo(1.0);
    assertThat(metrics.inFlight().get()).isZero();
    releaseOutbound(channel);
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void holdsAPipelinedRequestUntilTheFirstEndsThenReplaysIt() {
    EmbeddedChannel channel = newChannel();
    FullHttpRequest first = request("/v1/models");
    FullHttpRequest second = request("/v1/embeddings");
    channel.writeInbound(first);
    assertThat((Object) channel.readInbound()).isSameAs(first);
    first.release();
    RequestContext firstContext = context(channel);

    channel.writeInbound(second);

    assertThat((Object) channel.readInbound()).isNull();
    assertThat(channel.config().isAutoRead()).isFalse();
    assertThat(context(channel)).isSameAs(firstContext);

    channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
    channel.runPendingTasks();

    assertThat((Object) channel.readInbound()).isSameAs(second);
    second.release();
    assertThat(channel.config().isAutoRead()).isTrue();
    assertThat(context(channel)).isNotSameAs(firstContext);
    assertThat(context(channel).uri()).isEqualTo("/v1/embeddings");
    assertThat(firstContext.isCompleted()).isTrue();
    releaseOutbound(channel);
    channel.close();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void releasesAHeldPipelinedRequestWhenTheClientCloses() {
    EmbeddedChannel channel = newChannel();
    channel.writeInbound(request("/v1/models"));
    ReferenceCountUtil.release(channel.readInbound());
    FullHttpRequest second = request("/v1/embeddings");
    channel.writeInbound(second);

    channel.close();

    assertThat(second.refCnt()).isZero();
    assertThat((Object) channel.readInbound()).isNull();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void doesNotEmitAUsageEventForAnUnauthenticatedRequestButCountsItsError() {
    EmbeddedChannel channel = newChannel();
    channel.writeInbound(request("/v1/models"));
    ReferenceCountUtil.release(channel.readInbound());
    context(channel).errorCode("invalid_api_key");

    channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.UNAUTHORIZED));

    assertThat(events).isEmpty();
    assertThat(requests("401")).isEqualTo(1.0);
    Counter errors = metrics.registry().find("tollgate_errors").tag("code", "invalid_api_key").counter();
    assertThat(errors.count()).isEqualTo(1.0);
    releaseOutbound(channel);
    assertThat(channel.finish()).isFalse();
  }

  private EmbeddedChannel newChannel() {
    return new EmbeddedChannel(new MetricsHandler(config, metrics, events::add));
  }

  private RequestContext authenticated(EmbeddedChannel channel, String uri) {
    RequestContext context = context(channel);
    context.route(new Router(context.config()).route(uri));
    context.principal(new Principal("ten_1", "prj_1", "key_1", null));
    return context;
  }

  private double requests(String status) {
    Counter counter = metrics.registry().find("tollgate_requests").tag("status", status).counter();
    return counter == null ? 0 : counter.count();
  }

  private static RequestContext context(EmbeddedChannel channel) {
    return channel.attr(ChannelAttrs.REQUEST_CONTEXT).get();
  }

  private static void releaseOutbound(EmbeddedChannel channel) {
    Object msg;
    while ((msg = channel.readOutbound()) != null) {
      ReferenceCountUtil.release(msg);
    }
  }

  private static FullHttpRequest request(String uri) {
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri, bytes("{}"));
  }

  private static ByteBuf bytes(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
  }
}
