package dev.tollgate.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.config.TestConfigs;
import dev.tollgate.core.realtime.SessionTokens;
import java.time.Clock;
import dev.tollgate.core.context.ChannelAttrs;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.error.WrittenResponse;
import dev.tollgate.core.store.ApiKeyRecord;
import dev.tollgate.core.store.FakeStateStore;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AuthHandlerTest {

  private final FakeStateStore store = new FakeStateStore();
  private final ApiKeyVerifier verifier = new ApiKeyVerifier(store, TestConfigs.gateway().auth());
  private final TenantDirectory tenants = new TenantDirectory(store, 1000);
  private final JwtAuthenticator jwt = new JwtAuthenticator(store, 1, 1000);
  private final SessionTokens sessionTokens = new SessionTokens("", Clock.systemUTC());
  private final String key = ApiKeys.generate();

  @Test
  void rejectsARequestWithoutAKeyWith401InOpenAiShape() {
    EmbeddedChannel channel = newChannel("/v1/chat/completions");
    FullHttpRequest request = request("/v1/chat/completions");

    channel.writeInbound(request);

    assertThat(request.refCnt()).isZero();
    assertThat((Object) channel.readInbound()).isNull();
    WrittenResponse response = WrittenResponse.read(channel);
    assertThat(response.status()).isEqualTo(401);
    assertThat(response.json().has("type")).isFalse();
    assertThat(response.json().get("error").get("type").asText()).isEqualTo("invalid_request_error");
    assertThat(response.json().get("error").get("code").asText()).isEqualTo("invalid_api_key");
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void rejectsAMissingKeyInAnthropicShapeOnAnthropicRoutes() {
    EmbeddedChannel channel = newChannel("/v1/messages");
    FullHttpRequest request = request("/v1/messages");

    channel.writeInbound(request);

    assertThat(request.refCnt()).isZero();
    WrittenResponse response = WrittenResponse.read(channel);
    assertThat(response.status()).isEqualTo(401);
    assertThat(response.json().get("type").asText()).isEqualTo("error");
    assertThat(response.json().get("error").get("type").asText()).isEqualTo("authentication_error");
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void acceptsACachedKeyAsBearerWithoutWaiting() {
    store.addKey("key_1", "ten_1", "prj_1", ApiKeys.hash(key));
    warmCache();
    EmbeddedChannel channel = newChannel("/v1/chat/completions");
    FullHttpRequest request = request("/v1/chat/completions", "Bearer " + key);

    channel.writeInbound(request);

    FullHttpRequest passed = channel.readInbound();
    assertThat(passed).isSameAs(request);
    passed.release();
    Principal principal = context(channel).principal();
    assertThat(principal.tenantId()).isEqualTo("ten_1");
    assertThat(principal.projectId()).isEqualTo("prj_1");
    assertThat(principal.keyId()).isEqualTo("key_1");
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void acceptsABearerKeyWithSpacesAroundItAndRefusesOneWithACharacterMore() {
    store.addKey("key_1", "ten_1", "prj_1", ApiKeys.hash(key));
    warmCache();
    EmbeddedChannel channel = newChannel("/v1/chat/completions");
    FullHttpRequest spaced = request("/v1/chat/completions", "BEARER   " + key + " \t");
    FullHttpRequest longer = request("/v1/chat/completions", "Bearer " + key + "0");

    channel.writeInbound(spaced);
    FullHttpRequest passed = channel.readInbound();
    channel.writeInbound(longer);

    assertThat(passed).isSameAs(spaced);
    passed.release();
    assertThat(context(channel).principal().keyId()).isEqualTo("key_1");
    assertThat(longer.refCnt()).isZero();
    assertThat(WrittenResponse.read(channel).status()).isEqualTo(401);
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void acceptsACachedKeyAsXApiKey() {
    store.addKey("key_1", "ten_1", "prj_1", ApiKeys.hash(key));
    warmCache();
    EmbeddedChannel channel = newChannel("/v1/messages");
    FullHttpRequest request = request("/v1/messages");
    request.headers().set("x-api-key", key);

    channel.writeInbound(request);

    FullHttpRequest passed = channel.readInbound();
    passed.release();
    assertThat(context(channel).principal().keyId()).isEqualTo("key_1");
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void eachRequestOfAConnectionIsTheKeyItPresentsEvenWhenItDiffersFromTheLastOnlyInItsLastCharacter() {
    String neighbour = key.substring(0, key.length() - 1) + (key.endsWith("a") ? "b" : "a");
    store.addKey("key_1", "ten_1", "prj_1", ApiKeys.hash(key));
    store.addKey("key_2", "ten_1", "prj_2", ApiKeys.hash(neighbour));
    warmCache();
    EmbeddedChannel channel = newChannel("/v1/messages");

    assertThat(keyIdOf(channel, "Bearer " + key)).isEqualTo("key_1");
    assertThat(keyIdOf(channel, "Bearer " + neighbour)).isEqualTo("key_2");
    assertThat(keyIdOf(channel, "Bearer " + key)).isEqualTo("key_1");

    // x-api-key, as the Anthropic SDK sends it, on the same connection
    FullHttpRequest anthropic = request("/v1/messages");
    anthropic.headers().set("x-api-key", neighbour);
    channel.writeInbound(anthropic);
    while (store.runPendingTasks() > 0) {
      channel.runPendingTasks();
    }
    ((FullHttpRequest) channel.readInbound()).release();
    assertThat(context(channel).principal().keyId()).isEqualTo("key_2");

    // the same key again after its revocation: only its hash is remembered, the verdict is looked up
    store.revokeKey("ten_1", "key_2", System.currentTimeMillis());
    verifier.invalidate(ApiKeys.hash(neighbour));
    FullHttpRequest revoked = request("/v1/messages", "Bearer " + neighbour);
    channel.writeInbound(revoked);
    while (store.runPendingTasks() > 0) {
      channel.runPendingTasks();
    }
    assertThat(revoked.refCnt()).isZero();
    assertThat(WrittenResponse.read(channel).status()).isEqualTo(401);
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void parksOnAStoreMissAndResumesOnTheChannelsLoopWhenTheStoreAnswers() {
    store.addKey("key_1", "ten_1", "prj_1", ApiKeys.hash(key));
    EmbeddedChannel channel = newChannel("/v1/chat/completions");
    FullHttpRequest request = request("/v1/chat/completions");
    request.headers().set("authorization", "bearer " + key);

    channel.writeInbound(request);

    assertThat((Object) channel.readInbound()).isNull();
    assertThat(channel.config().isAutoRead()).isFalse();
    assertThat(request.refCnt()).isOne();

    // the key lookup, then the tenant lookup: each answers off the loop, then resumes on it
    assertThat(store.runPendingTasks()).isPositive();
    channel.runPendingTasks();
    assertThat(store.runPendingTasks()).isPositive();
    channel.runPendingTasks();

    FullHttpRequest passed = channel.readInbound();
    assertThat(passed).isSameAs(request);
    passed.release();
    assertThat(channel.config().isAutoRead()).isTrue();
    assertThat(context(channel).principal().tenantId()).isEqualTo("ten_1");
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void rejectsAnUnknownKeyWith401AfterTheStoreLookup() {
    EmbeddedChannel channel = newChannel("/v1/chat/completions");
    FullHttpRequest request = request("/v1/chat/completions");
    request.headers().set("x-api-key", key);

    channel.writeInbound(request);
    store.runPendingTasks();
    channel.runPendingTasks();

    assertThat(request.refCnt()).isZero();
    assertThat((Object) channel.readInbound()).isNull();
    assertThat(WrittenResponse.read(channel).status()).isEqualTo(401);
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void rejectsARevokedKey() {
    store.createKey(new ApiKeyRecord("key_1", "ten_1", "prj_1", "old", ApiKeys.lookupPrefix(key),
        ApiKeys.hash(key), 1L, 2L));
    EmbeddedChannel channel = newChannel("/v1/chat/completions");
    FullHttpRequest request = request("/v1/chat/completions");
    request.headers().set("authorization", "Bearer " + key);

    channel.writeInbound(request);
    store.runPendingTasks();
    channel.runPendingTasks();

    assertThat(request.refCnt()).isZero();
    assertThat(WrittenResponse.read(channel).status()).isEqualTo(401);
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void rejectsAMalformedKeyWithoutAskingTheStore() {
    EmbeddedChannel channel = newChannel("/v1/chat/completions");
    FullHttpRequest request = request("/v1/chat/completions");
    request.headers().set("authorization", "Bearer sk-not-a-tollgate-key");

    channel.writeInbound(request);

    assertThat(store.pendingTasks()).isZero();
    assertThat(request.refCnt()).isZero();
    assertThat(WrittenResponse.read(channel).status()).isEqualTo(401);
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void eachParkedRequestOfAConnectionResumesWithItsOwnContext() {
    String otherKey = ApiKeys.generate();
    store.addKey("key_1", "ten_1", "prj_1", ApiKeys.hash(key));
    store.addKey("key_2", "ten_2", "prj_2", ApiKeys.hash(otherKey));
    EmbeddedChannel channel = newChannel("/v1/chat/completions");
    RequestContext first = context(channel);
    RequestContext second = newContext("/v1/chat/completions");

    FullHttpRequest firstPassed = parkAndResume(channel, "Bearer " + key);
    channel.attr(ChannelAttrs.REQUEST_CONTEXT).set(second); // the next request on the connection
    FullHttpRequest secondPassed = parkAndResume(channel, "Bearer " + otherKey);

    assertThat(firstPassed).isNotSameAs(secondPassed);
    firstPassed.release();
    secondPassed.release();
    assertThat(first.principal().keyId()).isEqualTo("key_1");
    assertThat(first.tenant().id()).isEqualTo("ten_1");
    assertThat(second.principal().keyId()).isEqualTo("key_2");
    assertThat(second.tenant().id()).isEqualTo("ten_2");
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void releasesAParkedRequestWhenTheChannelClosesAndIgnoresTheLateAnswer() {
    store.addKey("key_1", "ten_1", "prj_1", ApiKeys.hash(key));
    EmbeddedChannel channel = newChannel("/v1/chat/completions");
    FullHttpRequest request = request("/v1/chat/completions");
    request.headers().set("authorization", "Bearer " + key);
    channel.writeInbound(request);

    channel.close();

    assertThat(request.refCnt()).isZero();
    store.runPendingTasks();
    channel.runPendingTasks();
    assertThat((Object) channel.readInbound()).isNull();
    assertThat((Object) channel.readOutbound()).isNull();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void answersInternalErrorAndReleasesTheRequestWhenTheStoreFails() {
    store.failLookups(true);
    EmbeddedChannel channel = newChannel("/v1/chat/completions");
    FullHttpRequest request = request("/v1/chat/completions");
    request.headers().set("authorization", "Bearer " + key);

    channel.writeInbound(request);
    store.runPendingTasks();
    channel.runPendingTasks();

    assertThat(request.refCnt()).isZero();
    assertThat((Object) channel.readInbound()).isNull();
    WrittenResponse response = WrittenResponse.read(channel);
    assertThat(response.status()).isEqualTo(500);
    assertThat(response.body()).doesNotContain(key).doesNotContain("store read failed");
    assertThat(channel.config().isAutoRead()).isTrue();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void aGatewaySessionTokenAuthenticatesWithItsUserAsSubject() {
    store.addKey("key_1", "ten_1", "prj_1", "hash");
    EmbeddedChannel channel = newChannel("/turn-credentials");
    FullHttpRequest request = request("/turn-credentials");
    request.headers().set("authorization", "Bearer "
        + sessionTokens.mint(new Principal("ten_1", "prj_1", "key_1", null), "alice", "rs_1", 60));

    channel.writeInbound(request);
    store.runPendingTasks();
    channel.runPendingTasks();

    FullHttpRequest passed = channel.readInbound();
    assertThat(passed).isSameAs(request);
    passed.release();
    assertThat(context(channel).principal().subject()).isEqualTo("alice");
    assertThat(context(channel).tenant().id()).isEqualTo("ten_1");
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void aSessionTokenSignedWithAnotherSecretIsRefusedWith401() {
    EmbeddedChannel channel = newChannel("/turn-credentials");
    FullHttpRequest request = request("/turn-credentials");
    String forged = new SessionTokens("", Clock.systemUTC()).mint(new Principal("ten_1", "prj_1", "key_1", null),
        "alice", "rs_1", 60);
    request.headers().set("authorization", "Bearer " + forged);

    channel.writeInbound(request);

    assertThat(request.refCnt()).isZero();
    assertThat((Object) channel.readInbound()).isNull();
    assertThat(WrittenResponse.read(channel).status()).isEqualTo(401);
    assertThat(channel.finish()).isFalse();
  }

  private void warmCache() {
    verifier.verify(key);
    tenants.tenant("ten_1");
    store.runPendingTasks();
    assertThat(verifier.verify(key).getNow(null)).isPresent();
    assertThat(tenants.tenant("ten_1").getNow(null)).isPresent();
  }

  /** The key id a request with {@code authorization} continues with on {@code channel}. */
  private String keyIdOf(EmbeddedChannel channel, String authorization) {
    channel.writeInbound(request("/v1/messages", authorization));
    while (store.runPendingTasks() > 0) {
      channel.runPendingTasks();
    }
    FullHttpRequest passed = channel.readInbound();
    assertThat(passed).as("passed on").isNotNull();
    passed.release();
    return context(channel).principal().keyId();
  }

  /** Writes a request with {@code authorization}, which parks on the store, and lets the store answer. */
  private FullHttpRequest parkAndResume(EmbeddedChannel channel, String authorization) {
    FullHttpRequest request = request("/v1/chat/completions", authorization);
    channel.writeInbound(request);
    assertThat((Object) channel.readInbound()).as("parked").isNull();
    while (store.runPendingTasks() > 0) {
      channel.runPendingTasks();
    }
    return channel.readInbound();
  }

  private EmbeddedChannel newChannel(String uri) {
    EmbeddedChannel channel = new EmbeddedChannel(new AuthHandler(verifier, jwt, sessionTokens, tenants));
    channel.attr(ChannelAttrs.REQUEST_CONTEXT).set(newContext(uri));
    return channel;
  }

  private static RequestContext newContext(String uri) {
    return new RequestContext("req_test", System.nanoTime(), System.currentTimeMillis(),
        TestConfigs.gateway(), "POST", uri);
  }

  private static RequestContext context(EmbeddedChannel channel) {
    return channel.attr(ChannelAttrs.REQUEST_CONTEXT).get();
  }

  private static FullHttpRequest request(String uri, String authorization) {
    FullHttpRequest request = request(uri);
    request.headers().set("authorization", authorization);
    return request;
  }

  private static FullHttpRequest request(String uri) {
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri,
        Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8));
  }
}
