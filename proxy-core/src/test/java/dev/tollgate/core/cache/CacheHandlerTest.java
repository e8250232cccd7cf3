package dev.tollgate.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.auth.Principal;
import dev.tollgate.core.config.TestConfigs;
import dev.tollgate.core.context.ChannelAttrs;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.metrics.GatewayMetrics;
import dev.tollgate.core.route.Router;
import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CacheHandlerTest {

  private static final String PATH = "/v1/chat/completions";
  private static final String BODY = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final String ANSWER = "{\"id\":\"chatcmpl-1\",\"choices\":[{\"text\":\"ok\"}]}";
  private static final int TTL_SECONDS = 1800;

  private final ResponseCache cache = new ResponseCache(1024 * 1024);
  private final GatewayMetrics metrics = new GatewayMetrics();

  @Test
  void passesAMissOnUntouchedAndCountsIt() {
    EmbeddedChannel channel = newChannel(64 * 1024);
    FullHttpRequest request = request(BODY);

    startRequest(channel, "acme", TTL_SECONDS, false);
    channel.writeInbound(request);

    FullHttpRequest passed = channel.readInbound();
    assertThat(passed).isSameAs(request);
    assertThat(passed.refCnt()).isOne();
    assertThat(ByteBufUtil.getBytes(passed.content())).isEqualTo(utf8(BODY));
    assertThat((Object) channel.readOutbound()).isNull();
    assertThat(lookups("miss")).isEqualTo(1.0);
    assertThat(lookups("hit")).isZero();
    passed.release();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void answersTheSameRequestFromTheCacheWithIdenticalBytesAndReleasesIt() {
    EmbeddedChannel channel = newChannel(64 * 1024);
    missAndAnswer(channel, "acme", BODY, json(HttpResponseStatus.OK, ANSWER));

    RequestContext second = startRequest(channel, "acme", TTL_SECONDS, false);
    FullHttpRequest again = request(BODY);
    channel.writeInbound(again);

    assertThat(again.refCnt()).as("a hit releases the request").isZero();
    assertThat((Object) channel.readInbound()).as("a hit is not passed on upstream").isNull();
    FullHttpResponse hit = channel.readOutbound();
    try {
      assertThat(hit.status()).isEqualTo(HttpResponseStatus.OK);
      assertThat(ByteBufUtil.getBytes(hit.content())).isEqualTo(utf8(ANSWER));
      assertThat(hit.headers().get("content-type")).isEqualTo("application/json");
      assertThat(hit.headers().getInt("content-length")).isEqualTo(utf8(ANSWER).length);
      assertThat(hit.headers().get(CachedResponse.CACHE_STATUS_HEADER)).isEqualTo("hit");
    } finally {
      hit.release();
    }
    assertThat(second.cacheHit()).isTrue();
    assertThat(lookups("hit")).isEqualTo(1.0);
    assertThat(lookups("miss")).isEqualTo(1.0);
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void doesNotStampTheHitHeaderOnTheResponseItCaptured() {
    EmbeddedChannel channel = newChannel(64 * 1024);

    FullHttpResponse relayed = missAndAnswer(channel, "acme", BODY, json(HttpResponseStatus.OK, ANSWER));

    assertThat(relayed.headers().contains(CachedResponse.CACHE_STATUS_HEADER)).isFalse();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void capturesAResponseRelayedInChunks() {
    EmbeddedChannel channel = newChannel(64 * 1024);
    startRequest(channel, "acme", TTL_SECONDS, false);
    channel.writeInbound(request(BODY));
    ReferenceCountUtil.release(channel.readInbound());

    DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set("content-type", "application/json");
    channel.writeOutbound(head, new DefaultHttpContent(buffer("{\"id\":")),
        new DefaultLastHttpContent(buffer("\"chunked\"}")));
    releaseOutbound(channel);

    assertThat(hitBody(channel, "acme", BODY)).isEqualTo("{\"id\":\"chunked\"}");
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void neverAnswersAnotherTenantOrAnotherBodyFromTheCache() {
    EmbeddedChannel channel = newChannel(64 * 1024);
    missAndAnswer(channel, "acme", BODY, json(HttpResponseStatus.OK, ANSWER));

    assertPassedOn(channel, "globex", BODY, TTL_SECONDS, false);
    assertPassedOn(channel, "acme", "{\"model\":\"gpt-4o\",\"messages\":[]}", TTL_SECONDS, false);
    assertThat(lookups("hit")).isZero();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void neverCachesAnEventStreamResponse() {
    EmbeddedChannel channel = newChannel(64 * 1024);
    startRequest(channel, "acme", TTL_SECONDS, false);
    channel.writeInbound(request(BODY));
    ReferenceCountUtil.release(channel.readInbound());

    DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set("content-type", "text/event-stream; charset=utf-8");
    channel.writeOutbound(head, new DefaultHttpContent(buffer("data: {\"x\":1}\n\n")),
        new DefaultLastHttpContent(buffer("data: [DONE]\n\n")));
    releaseOutbound(channel);

    assertPassedOn(channel, "acme", BODY, TTL_SECONDS, false);
    assertThat(cache.stats().entries()).isZero();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void neverCachesAResponseOtherThan200() {
    EmbeddedChannel channel = newChannel(64 * 1024);
    for (HttpResponseStatus status : new HttpResponseStatus[] {
        HttpResponseStatus.CREATED, HttpResponseStatus.BAD_REQUEST, HttpResponseStatus.TOO_MANY_REQUESTS,
        HttpResponseStatus.INTERNAL_SERVER_ERROR, HttpResponseStatus.BAD_GATEWAY}) {
      missAndAnswer(channel, "acme", BODY, json(status, "{\"error\":\"" + status.code() + "\"}"));
    }

    assertPassedOn(channel, "acme", BODY, TTL_SECONDS, false);
    assertThat(cache.stats().entries()).isZero();
    assertThat(lookups("hit")).isZero();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void neverLooksUpNorCachesAStreamingRequest() {
    EmbeddedChannel channel = newChannel(64 * 1024);
    for (int i = 0; i < 2; i++) {
      startRequest(channel, "acme", TTL_SECONDS, true);
      FullHttpRequest request = request(BODY);
      channel.writeInbound(request);
      assertThat((Object) channel.readInbound()).as("request %d", i).isSameAs(request);
      request.release();
      channel.writeOutbound(json(HttpResponseStatus.OK, ANSWER));
      releaseOutbound(channel);
    }

    assertThat(cache.stats().entries()).isZero();
    assertThat(lookups("hit") + lookups("miss")).as("not even looked up").isZero();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void neverLooksUpNorCachesARouteWithoutTtl() {
    EmbeddedChannel channel = newChannel(64 * 1024);
    for (int i = 0; i < 2; i++) {
      startRequest(channel, "acme", 0, false);
      FullHttpRequest request = request(BODY);
      channel.writeInbound(request);
      assertThat((Object) channel.readInbound()).as("request %d", i).isSameAs(request);
      request.release();
      channel.writeOutbound(json(HttpResponseStatus.OK, ANSWER));
      releaseOutbound(channel);
    }

    assertThat(cache.stats().entries()).isZero();
    assertThat(lookups("hit") + lookups("miss")).isZero();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void doesNotCacheABodyLargerThanTheEntryLimit() {
    EmbeddedChannel channel = newChannel(16);
    missAndAnswer(channel, "acme", BODY, json(HttpResponseStatus.OK, ANSWER));

    assertPassedOn(channel, "acme", BODY, TTL_SECONDS, false);
    assertThat(cache.stats().entries()).isZero();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void doesNotCacheAChunkedBodyThatOutgrowsTheEntryLimitMidway() {
    EmbeddedChannel channel = newChannel(16);
    startRequest(channel, "acme", TTL_SECONDS, false);
    channel.writeInbound(request(BODY));
    ReferenceCountUtil.release(channel.readInbound());

    DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set("content-type", "application/json");
    channel.writeOutbound(head, new DefaultHttpContent(buffer("0123456789")),
        new DefaultHttpContent(buffer("0123456789")), new DefaultLastHttpContent(buffer("}")));
    releaseOutbound(channel);

    assertPassedOn(channel, "acme", BODY, TTL_SECONDS, false);
    assertThat(cache.stats().entries()).isZero();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void cachesABodyOfExactlyTheEntryLimit() {
    EmbeddedChannel channel = newChannel(16);
    missAndAnswer(channel, "acme", BODY, json(HttpResponseStatus.OK, "{\"a\":\"12345678\"}"));

    assertThat(hitBody(channel, "acme", BODY)).isEqualTo("{\"a\":\"12345678\"}");
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void doesNotCacheAResponseCutOffByTheClientGoingAway() {
    EmbeddedChannel channel = newChannel(64 * 1024);
    startRequest(channel, "acme", TTL_SECONDS, false);
    channel.writeInbound(request(BODY));
    ReferenceCountUtil.release(channel.readInbound());
    DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set("content-type", "application/json");
    channel.writeOutbound(head, new DefaultHttpContent(buffer("{\"id\":")));
    releaseOutbound(channel);

    channel.pipeline().fireChannelInactive();
    // had the capture survived, this last chunk would complete a stale entry
    channel.writeOutbound(new DefaultLastHttpContent(buffer("\"late\"}")));
    releaseOutbound(channel);

    assertThat(cache.stats().entries()).isZero();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void aNewRequestDropsTheUnfinishedCaptureOfThePreviousOne() {
    EmbeddedChannel channel = newChannel(64 * 1024);
    startRequest(channel, "acme", TTL_SECONDS, false);
    channel.writeInbound(request(BODY));
    ReferenceCountUtil.release(channel.readInbound());
    DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    channel.writeOutbound(head, new DefaultHttpContent(buffer("{\"id\":")));
    releaseOutbound(channel);

    // the next request is on a route without cache; its answer must not finish the first capture
    startRequest(channel, "acme", 0, false);
    channel.writeInbound(request(BODY));
    ReferenceCountUtil.release(channel.readInbound());
    channel.writeOutbound(new DefaultLastHttpContent(buffer("\"other\"}")));
    releaseOutbound(channel);

    assertThat(cache.stats().entries()).isZero();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void passesOnMessagesOtherThanFullRequests() {
    EmbeddedChannel channel = newChannel(64 * 1024);
    DefaultHttpContent stray = new DefaultHttpContent(buffer("x"));

    channel.writeInbound(stray);

    assertThat((Object) channel.readInbound()).isSameAs(stray);
    assertThat(stray.release()).isTrue();
    assertThat(channel.finish()).isFalse();
  }

  // --- helpers ---

  private EmbeddedChannel newChannel(int maxEntryBytes) {
    return new EmbeddedChannel(new CacheHandler(cache, metrics, maxEntryBytes));
  }

  /** What the metrics stage and the stages up to the plan gate leave on the channel for one request. */
  private static RequestContext startRequest(EmbeddedChannel channel, String tenantId, int ttlSeconds, boolean stream) {
    RequestContext context = new RequestContext("req-" + System.nanoTime(), System.nanoTime(),
        System.currentTimeMillis(), TestConfigs.gateway(), "POST", PATH);
    context.route(new Router(context.config()).route(PATH));
    context.principal(new Principal(tenantId, "prj_default", "key_1", null));
    context.cacheTtlSeconds(ttlSeconds);
    context.stream(stream);
    channel.attr(ChannelAttrs.REQUEST_CONTEXT).set(context);
    return context;
  }

  /** A miss for {@code body}, then {@code response} written back through the handler; returns what was relayed. */
  private static FullHttpResponse missAndAnswer(EmbeddedChannel channel, String tenantId, String body,
      FullHttpResponse response) {
    startRequest(channel, tenantId, TTL_SECONDS, false);
    FullHttpRequest request = request(body);
    channel.writeInbound(request);
    assertThat((Object) channel.readInbound()).as("a miss is passed on").isSameAs(request);
    request.release();
    channel.writeOutbound(response);
    FullHttpResponse relayed = channel.readOutbound();
    assertThat(relayed).as("the response reaches the client unchanged").isSameAs(response);
    // the capture copied the bytes: the buffer is still the client's to write and release
    assertThat(relayed.refCnt()).isOne();
    assertThat(relayed.content().readerIndex()).isZero();
    relayed.release();
    return relayed;
  }

  private static void assertPassedOn(EmbeddedChannel channel, String tenantId, String body, int ttlSeconds,
      boolean stream) {
    RequestContext context = startRequest(channel, tenantId, ttlSeconds, stream);
    FullHttpRequest request = request(body);
    channel.writeInbound(request);
    assertThat((Object) channel.readInbound()).as("%s %s is passed on", tenantId, body).isSameAs(request);
    assertThat((Object) channel.readOutbound()).as("and not answered from the cache").isNull();
    assertThat(context.cacheHit()).isFalse();
    request.release();
  }

  private static String hitBody(EmbeddedChannel channel, String tenantId, String body) {
    startRequest(channel, tenantId, TTL_SECONDS, false);
    FullHttpRequest request = request(body);
    channel.writeInbound(request);
    assertThat(request.refCnt()).isZero();
    assertThat((Object) channel.readInbound()).isNull();
    FullHttpResponse hit = channel.readOutbound();
    try {
      assertThat(hit.headers().get(CachedResponse.CACHE_STATUS_HEADER)).isEqualTo("hit");
      return hit.content().toString(StandardCharsets.UTF_8);
    } finally {
      hit.release();
    }
  }

  private double lookups(String result) {
    Counter counter = metrics.registry().find("tollgate_cache_lookups").tag("result", result).counter();
    return counter == null ? 0 : counter.count();
  }

  private static void releaseOutbound(EmbeddedChannel channel) {
    Object msg;
    while ((msg = channel.readOutbound()) != null) {
      ReferenceCountUtil.release(msg);
    }
  }

  private static FullHttpRequest request(String body) {
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, PATH, buffer(body));
    request.headers().set("content-type", "application/json");
    return request;
  }

  private static FullHttpResponse json(HttpResponseStatus status, String body) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, buffer(body));
    response.headers().set("content-type", "application/json");
    response.headers().setInt("content-length", response.content().readableBytes());
    return response;
  }

  private static ByteBuf buffer(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
