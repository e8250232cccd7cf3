package dev.tollgate.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.config.TestConfigs;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.guard.FlatHttpHeaders;
import dev.tollgate.core.route.Router;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpstreamRequestsTest {

  private static final ProviderKey PROVIDER_KEY = new ProviderKey("sk-provider", ProviderKey.Source.OPERATOR_DEFAULT);

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void dropsHopByHopHeadersAndHeadersNamedInConnection() {
    FullHttpRequest client = post("/openai/v1/chat/completions", "{\"model\":\"m\"}");
    client.headers()
        .set("Connection", "keep-alive, X-Hop")
        .set("Keep-Alive", "timeout=5")
        .set("TE", "trailers")
        .set("Upgrade", "h2c")
        .set("Proxy-Authorization", "Basic cHJveHk=")
        .set("Proxy-Connection", "keep-alive")
        .set("X-Hop", "1")
        .set("X-Tollgate-Debug", "1")
        .set("Expect", "100-continue")
        .set("Host", "gateway.local")
        .set("Accept-Encoding", "gzip")
        .set("X-End-To-End", "kept");

    FullHttpRequest upstream = build(client, "/openai/v1/chat/completions", false, false);
    try {
      assertThat(upstream.headers().names()).map(String::toLowerCase)
          .doesNotContain("connection", "keep-alive", "te", "upgrade", "proxy-authorization",
              "proxy-connection", "x-hop", "x-tollgate-debug", "expect", "transfer-encoding");
      assertThat(upstream.headers().get("x-end-to-end")).isEqualTo("kept");
      assertThat(upstream.headers().get("host")).isEqualTo("api.openai.com");
      assertThat(upstream.headers().get("accept-encoding")).isEqualTo("identity");
      assertThat(upstream.uri()).isEqualTo("/v1/chat/completions");
    } finally {
      upstream.release();
    }
  }

  @Test
  void replacesTheClientsCredentialsWithTheProviderKeyAsBearer() {
    FullHttpRequest client = post("/openai/v1/chat/completions", "{}");
    client.headers().set("Authorization", "Bearer tg_clientkey").set("x-api-key", "tg_clientkey");

    FullHttpRequest upstream = build(client, "/openai/v1/chat/completions", false, false);
    try {
      assertThat(upstream.headers().getAll("authorization")).containsExactly("Bearer sk-provider");
      assertThat(upstream.headers().contains("x-api-key")).isFalse();
    } finally {
      upstream.release();
    }
  }

  @Test
  void replacesTheClientsCredentialsWithTheProviderKeyAsXApiKey() {
    FullHttpRequest client = post("/v1/messages", "{}");
    client.headers().set("Authorization", "Bearer tg_clientkey").set("X-Api-Key", "tg_clientkey");

    FullHttpRequest upstream = build(client, "/v1/messages", false, false);
    try {
      assertThat(upstream.headers().getAll("x-api-key")).containsExactly("sk-provider");
      assertThat(upstream.headers().contains("authorization")).isFalse();
      assertThat(upstream.headers().get("host")).isEqualTo("api.anthropic.com");
    } finally {
      upstream.release();
    }
  }

  @Test
  void keepsProviderProtocolHeaders() {
    FullHttpRequest client = post("/v1/messages", "{}");
    client.headers()
        .set("anthropic-version", "2023-06-01")
        .set("anthropic-beta", "prompt-caching-2024-07-31")
        .set("OpenAI-Beta", "assistants=v2")
        .set("Idempotency-Key", "abc-123");

    FullHttpRequest upstream = build(client, "/v1/messages", false, false);
    try {
      assertThat(upstream.headers().get("anthropic-version")).isEqualTo("2023-06-01");
      assertThat(upstream.headers().get("anthropic-beta")).isEqualTo("prompt-caching-2024-07-31");
      assertThat(upstream.headers().get("openai-beta")).isEqualTo("assistants=v2");
      assertThat(upstream.headers().get("idempotency-key")).isEqualTo("abc-123");
    } finally {
      upstream.release();
    }
  }

  @Test
  void theHeadersAddedAnewReplaceTheClientsOnceEachWithHostFirstAndTheOthersInTheClientsOrder() {
    // the headers as the gateway's decoder makes them
    FlatHttpHeaders headers = new FlatHttpHeaders();
    headers.add("User-Agent", "sdk/1").add("Host", "gateway.local").add("Accept-Encoding", "gzip")
        .add("content-length", "999").add("Authorization", "Bearer tg_clientkey").add("X-API-KEY", "tg_clientkey")
        .add("Content-Type", "application/json").add("OpenAI-Beta", "assistants=v2");
    FullHttpRequest client = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
        "/openai/v1/chat/completions", Unpooled.copiedBuffer("{\"model\":\"m\"}", StandardCharsets.UTF_8),
        headers, new FlatHttpHeaders());

    FullHttpRequest upstream = build(client, "/openai/v1/chat/completions", false, false);
    try {
      List<String> names = new ArrayList<>();
      upstream.headers().forEach(h -> names.add(h.getKey().toLowerCase(java.util.Locale.ROOT)));
      assertThat(names).containsExactly("host", "user-agent", "content-type", "openai-beta", "accept-encoding",
          "content-length", "authorization");
      assertThat(upstream.headers().getAll("host")).containsExactly("api.openai.com");
      assertThat(upstream.headers().getAll("accept-encoding")).containsExactly("identity");
      assertThat(upstream.headers().getAll("content-length")).containsExactly("13");
      assertThat(upstream.headers().getAll("authorization")).containsExactly("Bearer sk-provider");
      assertThat(upstream.headers().contains("x-api-key")).isFalse();
    } finally {
      upstream.release();
    }
  }

  @Test
  void setsContentLengthAndKeepsTheQueryUnderTheBasePath() {
    FullHttpRequest client = post("/groq/v1/chat/completions?trace=1", "{\"model\":\"llama\"}");
    client.headers().set("Content-Length", "999").set("Transfer-Encoding", "chunked");

    FullHttpRequest upstream = build(client, "/groq/v1/chat/completions?trace=1", false, false);
    try {
      assertThat(upstream.uri()).isEqualTo("/openai/v1/chat/completions?trace=1");
      assertThat(upstream.headers().getAll("content-length")).containsExactly("17");
      assertThat(upstream.headers().contains("transfer-encoding")).isFalse();
      assertThat(upstream.headers().get("host")).isEqualTo("127.0.0.1:9999");
    } finally {
      upstream.release();
    }
  }

  @Test
  void injectsIncludeUsageIntoAStreamingChatCompletionWithoutIt() throws Exception {
    FullHttpRequest client = post("/v1/chat/completions",
        "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"other\":1}}");
    ByteBuf original = client.content();
    RequestContext context = context("/v1/chat/completions", true, false);

    FullHttpRequest upstream = UpstreamRequests.build(client, context, PROVIDER_KEY);
    try {
      assertThat(original.refCnt()).isZero();
      assertThat(context.usageInjected()).isTrue();
      JsonNode body = JSON.readTree(upstream.content().toString(StandardCharsets.UTF_8));
      assertThat(body.get("stream_options").get("include_usage").asBoolean()).isTrue();
      assertThat(body.get("stream_options").get("other").asInt()).isEqualTo(1);
      assertThat(body.get("model").asText()).isEqualTo("m");
      assertThat(upstream.headers().getInt("content-length")).isEqualTo(upstream.content().readableBytes());
    } finally {
      upstream.release();
    }
  }

  @Test
  void insertsIncludeUsageAfterTheOpeningBraceLeavingTheRestByteForByte() {
    String rest = "\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"say \\\"hi\\\"\\n\"}],"
        + "\"stream\":true}";
    FullHttpRequest client = post("/v1/chat/completions", " {" + rest);
    RequestContext context = context("/v1/chat/completions", true, false);

    FullHttpRequest upstream = UpstreamRequests.build(client, context, PROVIDER_KEY);
    try {
      assertThat(context.usageInjected()).isTrue();
      assertThat(upstream.content().toString(StandardCharsets.UTF_8))
          .isEqualTo(" {\"stream_options\":{\"include_usage\":true}," + rest);
      assertThat(upstream.headers().getInt("content-length")).isEqualTo(upstream.content().readableBytes());
    } finally {
      upstream.release();
    }
  }

  @Test
  void neverAddsASecondStreamOptionsEvenWhenItsNameIsSpelledWithEscapesOrQuotedInAMessage() throws Exception {
    for (String body : List.of(
        "{\"stream\\u005foptions\":{\"include_usage\":false},\"stream\":true}",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"what is stream_options?\"}],\"stream\":true}")) {
      FullHttpRequest client = post("/v1/chat/completions", body);
      FullHttpRequest upstream = UpstreamRequests.build(client, context("/v1/chat/completions", true, false),
          PROVIDER_KEY);
      try {
        String sent = upstream.content().toString(StandardCharsets.UTF_8);
        JsonNode json = JSON.readTree(sent);
        assertThat(json.get("stream_options").get("include_usage").asBoolean()).as(sent).isTrue();
        // one key, the one Jackson wrote: the escaped spelling is gone, the message text is untouched
        assertThat(sent.split("\"stream_options\":", -1)).as(sent).hasSize(2);
        assertThat(sent).doesNotContain("u005f");
      } finally {
        upstream.release();
      }
    }
  }

  @Test
  void doesNotInjectWhenTheClientAskedNotStreamingOrNotChat() {
    assertNotInjected("/v1/chat/completions", "{\"stream\":true,\"stream_options\":{\"include_usage\":true}}",
        true, true);
    assertNotInjected("/v1/chat/completions", "{\"stream\":false}", false, false);
    assertNotInjected("/v1/responses", "{\"stream\":true}", true, false);
    assertNotInjected("/v1/messages", "{\"stream\":true}", true, false);
  }

  @Test
  void leavesANonObjectBodyAsItIs() {
    FullHttpRequest client = post("/v1/chat/completions", "[1,2]");
    ByteBuf original = client.content();
    RequestContext context = context("/v1/chat/completions", true, false);

    FullHttpRequest upstream = UpstreamRequests.build(client, context, PROVIDER_KEY);
    try {
      assertThat(upstream.content()).isSameAs(original);
      assertThat(context.usageInjected()).isFalse();
    } finally {
      upstream.release();
    }
    assertThat(original.refCnt()).isZero();
  }

  private static void assertNotInjected(String uri, String body, boolean stream, boolean clientIncludeUsage) {
    FullHttpRequest client = post(uri, body);
    ByteBuf original = client.content();
    RequestContext context = context(uri, stream, clientIncludeUsage);

    FullHttpRequest upstream = UpstreamRequests.build(client, context, PROVIDER_KEY);
    try {
      assertThat(upstream.content()).as(uri + " " + body).isSameAs(original);
      assertThat(upstream.content().toString(StandardCharsets.UTF_8)).isEqualTo(body);
      assertThat(context.usageInjected()).isFalse();
    } finally {
      upstream.release();
    }
    assertThat(original.refCnt()).isZero();
  }

  private static FullHttpRequest build(FullHttpRequest client, String uri, boolean stream, boolean includeUsage) {
    return UpstreamRequests.build(client, context(uri, stream, includeUsage), PROVIDER_KEY);
  }

  private static RequestContext context(String uri, boolean stream, boolean clientIncludeUsage) {
    RequestContext context = new RequestContext("req_test", System.nanoTime(), System.currentTimeMillis(),
        TestConfigs.gateway(), "POST", uri);
    context.route(new Router(context.config()).route(uri));
    context.stream(stream);
    context.clientIncludeUsage(clientIncludeUsage);
    return context;
  }

  private static FullHttpRequest post(String uri, String body) {
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri,
        Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
  }
}
