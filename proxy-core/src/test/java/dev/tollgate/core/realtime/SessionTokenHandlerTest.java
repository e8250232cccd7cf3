package dev.tollgate.core.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.config.TestConfigs;
import dev.tollgate.core.context.ChannelAttrs;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.pipeline.PipelineStage;
import dev.tollgate.core.route.Router;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionTokenHandlerTest {

  /** What reached the stage standing in for AuthHandler (so: not skipped). */
  private final List<Object> seenByAuth = new ArrayList<>();

  @Test
  void liftsTheBrowserSubprotocolCredentialIntoTheAuthorizationHeaderForAuth() {
    EmbeddedChannel channel = newChannel("/v1/realtime?model=gpt-realtime");
    FullHttpRequest request = upgrade("/v1/realtime?model=gpt-realtime");
    request.headers().set("sec-websocket-protocol", "realtime, openai-insecure-api-key.tg_abc, openai-beta.realtime-v1");

    channel.writeInbound(request);

    assertThat(seenByAuth).containsExactly(request);
    assertThat(request.headers().get("authorization")).isEqualTo("Bearer tg_abc");
    FullHttpRequest passed = channel.readInbound();
    passed.release();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void aHeaderCredentialIsNotReplacedByASubprotocol() {
    EmbeddedChannel channel = newChannel("/v1/realtime?model=gpt-realtime");
    FullHttpRequest request = upgrade("/v1/realtime?model=gpt-realtime");
    request.headers().set("authorization", "Bearer tg_header");
    request.headers().set("sec-websocket-protocol", "realtime, openai-insecure-api-key.tg_abc");

    channel.writeInbound(request);

    assertThat(request.headers().get("authorization")).isEqualTo("Bearer tg_header");
    ReferenceCountUtil.release(channel.readInbound());
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void otherCredentialsGoOnToAuthUnchanged() {
    EmbeddedChannel channel = newChannel("/v1/chat/completions");
    FullHttpRequest request = post("/v1/chat/completions");
    request.headers().set("authorization", "Bearer tg_key");

    channel.writeInbound(request);

    assertThat(seenByAuth).containsExactly(request);
    ReferenceCountUtil.release(channel.readInbound());
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void readsOnlyCredentialSubprotocols() {
    assertThat(SessionTokenHandler.subprotocolCredential("realtime, tollgate-session.abc.def.ghi"))
        .isEqualTo("abc.def.ghi");
    assertThat(SessionTokenHandler.subprotocolCredential("realtime, openai-beta.realtime-v1")).isNull();
    assertThat(SessionTokenHandler.subprotocolCredential(null)).isNull();
  }

  private EmbeddedChannel newChannel(String uri) {
    EmbeddedChannel channel = new EmbeddedChannel();
    channel.pipeline().addLast(PipelineStage.SESSION_TOKEN.handlerName(), new SessionTokenHandler());
    channel.pipeline().addLast(PipelineStage.AUTH.handlerName(), new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        seenByAuth.add(msg);
        ctx.fireChannelRead(msg);
      }
    });
    RequestContext context = new RequestContext("req_test", System.nanoTime(), System.currentTimeMillis(),
        TestConfigs.gateway(), "POST", uri);
    context.route(new Router(context.config()).route(uri));
    channel.attr(ChannelAttrs.REQUEST_CONTEXT).set(context);
    return channel;
  }

  private static FullHttpRequest post(String uri) {
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri, Unpooled.buffer(0));
  }

  private static FullHttpRequest upgrade(String uri) {
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri, Unpooled.buffer(0));
    request.headers().set("upgrade", "websocket").set("connection", "Upgrade")
        .set("sec-websocket-version", "13").set("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==");
    return request;
  }
}
