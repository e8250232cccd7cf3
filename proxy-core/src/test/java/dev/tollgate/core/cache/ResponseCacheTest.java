package dev.tollgate.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ResponseCacheTest {

  private static final String BODY = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final String PATH = "/v1/chat/completions";

  private final AtomicLong nanos = new AtomicLong();
  private final ResponseCache cache = new ResponseCache(1024 * 1024, nanos::get);

  @Test
  void hitReturnsTheIdenticalBytesAndHeaders() {
    byte[] upstreamBody = "{\"id\":\"chatcmpl-1\",\"choices\":[]}\n".getBytes(StandardCharsets.UTF_8);
    FullHttpResponse upstream = response(HttpResponseStatus.OK, "application/json", upstreamBody);
    upstream.headers().set("x-request-id", "req-1");
    CacheKey key = key("acme", BODY);

    cache.put(key, CachedResponse.from(upstream, CachedResponse.DEFAULT_KEPT_HEADERS).orElseThrow(), 1800);
    // The cache copied the content: the caller still owns the upstream response.
    assertThat(upstream.refCnt()).isEqualTo(1);
    assertThat(upstream.release()).isTrue();

    FullHttpResponse hit = cache.get(key("acme", BODY)).orElseThrow().toHttpResponse();
    try {
      assertThat(hit.status()).isEqualTo(HttpResponseStatus.OK);
      assertThat(ByteBufUtil.getBytes(hit.content())).isEqualTo(upstreamBody);
      assertThat(hit.headers().get("content-type")).isEqualTo("application/json");
      assertThat(hit.headers().getInt("content-length")).isEqualTo(upstreamBody.length);
      assertThat(hit.headers().get(CachedResponse.CACHE_STATUS_HEADER)).isEqualTo("hit");
      assertThat(hit.headers().contains("x-request-id")).isFalse();
    } finally {
      assertThat(hit.release()).isTrue();
    }
  }

  @Test
  void releasingOneHitLeavesTheEntryAndOtherHitsIntact() {
    CacheKey key = key("acme", BODY);
    cache.put(key, CachedResponse.of(List.of(), bytes("cached")), 60);

    FullHttpResponse first = cache.get(key).orElseThrow().toHttpResponse();
    FullHttpResponse second = cache.get(key).orElseThrow().toHttpResponse();
    first.release();

    assertThat(second.content().toString(StandardCharsets.UTF_8)).isEqualTo("cached");
    assertThat(second.content().isWritable()).isFalse();
    second.release();
    assertThat(cache.get(key).orElseThrow().body()).isEqualTo(bytes("cached"));
  }

  @Test
  void hitWrittenThroughTheHttpEncoderIsReleasedByIt() {
    cache.put(key("acme", BODY), CachedResponse.of(List.of(Map.entry("content-type", "application/json")), bytes("{}")), 60);
    EmbeddedChannel channel = new EmbeddedChannel(new HttpResponseEncoder());
    FullHttpResponse hit = cache.get(key("acme", BODY)).orElseThrow().toHttpResponse();

    assertThat(channel.writeOutbound(hit)).isTrue();

    StringBuilder wire = new StringBuilder();
    for (ByteBuf chunk; (chunk = channel.readOutbound()) != null; chunk.release()) {
      wire.append(chunk.toString(StandardCharsets.UTF_8));
    }
    assertThat(wire.toString()).startsWith("HTTP/1.1 200 OK").endsWith("\r\n\r\n{}");
    assertThat(hit.refCnt()).isZero();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void neverServesOneTenantsResponseToAnother() {
    cache.put(key("acme", BODY), CachedResponse.of(List.of(), bytes("acme's answer")), 60);

    assertThat(cache.get(key("globex", BODY))).isEmpty();
    assertThat(cache.get(new CacheKey("globex", key("acme", BODY).sha256Hex()))).isEmpty();
  }

  @Test
  void keysOnProjectMethodAndRouteToo() {
    CacheKey base = key("acme", BODY);

    assertThat(ResponseCache.key("acme", "other", "POST", PATH, bytes(BODY))).isNotEqualTo(base);
    assertThat(ResponseCache.key("acme", "default", "PUT", PATH, bytes(BODY))).isNotEqualTo(base);
    assertThat(ResponseCache.key("acme", "default", "POST", "/v1/responses", bytes(BODY))).isNotEqualTo(base);
  }

  @Test
  void matchesJsonBodiesThatDifferOnlyInKeyOrderAndWhitespace() {
    String reordered = "{ \"messages\" : [ {\"content\":\"hi\", \"role\":\"user\"} ],\n  \"model\":\"gpt-4o\" }";
    cache.put(key("acme", BODY), CachedResponse.of(List.of(), bytes("answer")), 60);

    assertThat(cache.get(key("acme", reordered))).isPresent();
    assertThat(key("acme", BODY.replace("hi", "hello"))).isNotEqualTo(key("acme", BODY));
    assertThat(key("acme", "{\"messages\":[1,2]}")).isNotEqualTo(key("acme", "{\"messages\":[2,1]}"));
    assertThat(key("acme", "{\"t\":0.10000000000000000001}")).isNotEqualTo(key("acme", "{\"t\":0.1}"));
  }

  @Test
  void hashesBodiesThatAreNotStrictJsonAsRawBytes() {
    assertThat(key("acme", "not json")).isNotEqualTo(key("acme", "not json "));
    assertThat(ResponseCache.canonicalJson(bytes("{\"a\":1,\"a\":2}"))).isNull();
    assertThat(ResponseCache.canonicalJson(bytes("{\"a\":1} trailing"))).isNull();
    assertThat(key("acme", "{\"a\":1,\"a\":2}")).isNotEqualTo(key("acme", "{\"a\":2}"));
  }

  @Test
  void readsTheRequestBufferWithoutConsumingOrReleasingIt() {
    ByteBuf body = Unpooled.copiedBuffer(BODY, StandardCharsets.UTF_8);
    try {
      assertThat(ResponseCache.key("acme", "default", "POST", PATH, body)).isEqualTo(key("acme", BODY));
      assertThat(body.readerIndex()).isZero();
      assertThat(body.refCnt()).isEqualTo(1);
    } finally {
      body.release();
    }
  }

  @Test
  void expiresEachEntryAfterItsOwnTtl() {
    cache.put(key("acme", "short"), CachedResponse.of(List.of(), bytes("a")), 10);
    cache.put(key("acme", "long"), CachedResponse.of(List.of(), bytes("b")), 1800);

    advanceSeconds(9);
    assertThat(cache.get(key("acme", "short"))).isPresent();
    advanceSeconds(2);
    assertThat(cache.get(key("acme", "short"))).isEmpty();
    assertThat(cache.get(key("acme", "long"))).isPresent();
    advanceSeconds(1800);
    assertThat(cache.get(key("acme", "long"))).isEmpty();
    assertThat(cache.stats().expirations()).isEqualTo(2);
  }

  @Test
  void staysWithinItsByteBudgetWhenOfferedTenTimesAsMuch() {
    long budget = 64 * 1024;
    ResponseCache small = new ResponseCache(budget, nanos::get);
    byte[] kilobyte = new byte[1024];
    int entries = (int) (10 * budget / kilobyte.length);

    for (int i = 0; i < entries; i++) {
      small.put(key("acme", "{\"n\":" + i + "}"), CachedResponse.of(List.of(Map.entry("content-type", "application/json")), kilobyte), 60);
      assertThat(small.stats().weightedBytes()).isLessThanOrEqualTo(budget);
    }

    ResponseCacheStats stats = small.stats();
    assertThat(stats.sizeEvictions()).isGreaterThan(0);
    assertThat(stats.entries() * kilobyte.length).isLessThanOrEqualTo(budget);
  }

  @Test
  void refusesAResponseLargerThanTheWholeBudget() {
    ResponseCache small = new ResponseCache(4096, nanos::get);

    assertThat(small.put(key("acme", BODY), CachedResponse.of(List.of(), new byte[8192]), 60)).isFalse();
    assertThat(small.get(key("acme", BODY))).isEmpty();
  }

  @Test
  void cachesOnlyCompleteNonStreaming200Responses() {
    FullHttpResponse error = response(HttpResponseStatus.TOO_MANY_REQUESTS, "application/json", bytes("{}"));
    FullHttpResponse stream = response(HttpResponseStatus.OK, "text/event-stream; charset=utf-8", bytes("data: {}\n\n"));
    try {
      assertThat(CachedResponse.from(error, CachedResponse.DEFAULT_KEPT_HEADERS)).isEmpty();
      assertThat(CachedResponse.from(stream, CachedResponse.DEFAULT_KEPT_HEADERS)).isEmpty();
    } finally {
      error.release();
      stream.release();
    }
  }

  @Test
  void countsHitsAndMisses() {
    cache.get(key("acme", BODY));
    cache.put(key("acme", BODY), CachedResponse.of(List.of(), bytes("x")), 60);
    cache.get(key("acme", BODY));
    cache.get(key("acme", BODY));

    ResponseCacheStats stats = cache.stats();
    assertThat(stats.hits()).isEqualTo(2);
    assertThat(stats.misses()).isEqualTo(1);
    assertThat(stats.entries()).isEqualTo(1);
  }

  @Test
  void dropsEveryEntryOfATenantOnRequest() {
    cache.put(key("acme", BODY), CachedResponse.of(List.of(), bytes("x")), 60);
    cache.put(key("globex", BODY), CachedResponse.of(List.of(), bytes("y")), 60);

    cache.invalidateTenant("acme");

    assertThat(cache.get(key("acme", BODY))).isEmpty();
    assertThat(cache.get(key("globex", BODY))).isPresent();
  }

  private void advanceSeconds(long seconds) {
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
  }

  private static CacheKey key(String tenant, String body) {
    return ResponseCache.key(tenant, "default", "POST", PATH, bytes(body));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static FullHttpResponse response(HttpResponseStatus status, String contentType, byte[] body) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    response.headers().set("content-type", contentType);
    return response;
  }
}
