package dev.tollgate.core.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.config.ProviderConfig;
import dev.tollgate.core.config.TestConfigs;
import dev.tollgate.core.error.ErrorDialect;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {

  private final Router router = new Router(TestConfigs.gateway());

  @Test
  void routesOpenAiPrefixToOpenAi() {
    RouteMatch route = router.route("/openai/v1/chat/completions");

    assertThat(route.providerName()).isEqualTo("openai");
    assertThat(route.operation()).isEqualTo(Operation.CHAT_COMPLETIONS);
    assertThat(route.upstreamUri()).isEqualTo("/v1/chat/completions");
    assertThat(route.clientPath()).isEqualTo("/openai/v1/chat/completions");
    assertThat(route.dialect()).isEqualTo(ErrorDialect.OPENAI);
    assertThat(route.endpoint().tls()).isTrue();
    assertThat(route.endpoint().port()).isEqualTo(443);
    assertThat(route.endpoint().hostHeader()).isEqualTo("api.openai.com");
  }

  @Test
  void routesAnthropicPrefixToAnthropicWithItsDialect() {
    RouteMatch route = router.route("/anthropic/v1/messages");

    assertThat(route.providerName()).isEqualTo("anthropic");
    assertThat(route.operation()).isEqualTo(Operation.MESSAGES);
    assertThat(route.upstreamUri()).isEqualTo("/v1/messages");
    assertThat(route.dialect()).isEqualTo(ErrorDialect.ANTHROPIC);
  }

  @Test
  void routesAConfiguredThirdProviderUnderItsBasePath() {
    RouteMatch route = router.route("/groq/v1/chat/completions");

    assertThat(route.providerName()).isEqualTo("groq");
    assertThat(route.upstreamUri()).isEqualTo("/openai/v1/chat/completions");
    assertThat(route.endpoint().tls()).isFalse();
    assertThat(route.endpoint().host()).isEqualTo("127.0.0.1");
    assertThat(route.endpoint().port()).isEqualTo(9999);
    assertThat(route.endpoint().hostHeader()).isEqualTo("127.0.0.1:9999");
  }

  @Test
  void routesBareMessagesToAnthropic() {
    assertThat(router.route("/v1/messages").providerName()).isEqualTo("anthropic");
    RouteMatch countTokens = router.route("/v1/messages/count_tokens");
    assertThat(countTokens.providerName()).isEqualTo("anthropic");
    assertThat(countTokens.operation()).isEqualTo(Operation.COUNT_TOKENS);
  }

  @Test
  void routesOtherBareV1PathsToTheDefaultProvider() {
    RouteMatch route = router.route("/v1/chat/completions");

    assertThat(route.providerName()).isEqualTo("openai");
    assertThat(route.upstreamUri()).isEqualTo("/v1/chat/completions");
    assertThat(router.route("/v1/messagesx").providerName()).isEqualTo("openai");
  }

  @Test
  void routesBareV1PathsToAnotherDefaultProviderWhenConfigured() {
    Router groqDefault = new Router(TestConfigs.gateway(Map.of(
        "groq", TestConfigs.provider("https://api.groq.com/openai", "bearer", "k", "openai")), "groq"));

    RouteMatch route = groqDefault.route("/v1/embeddings");

    assertThat(route.providerName()).isEqualTo("groq");
    assertThat(route.operation()).isEqualTo(Operation.EMBEDDINGS);
    assertThat(route.upstreamUri()).isEqualTo("/openai/v1/embeddings");
    // no provider named anthropic: bare messages fall back to the default
    assertThat(groqDefault.route("/v1/messages").providerName()).isEqualTo("groq");
  }

  @Test
  void keepsTheQueryStringUnchanged() {
    RouteMatch route = router.route("/groq/v1/models?limit=5&after=a%20b");

    assertThat(route.upstreamUri()).isEqualTo("/openai/v1/models?limit=5&after=a%20b");
    assertThat(route.clientPath()).isEqualTo("/groq/v1/models");
    assertThat(route.operation()).isEqualTo(Operation.MODELS);
  }

  @Test
  void returnsNullForUnknownRoutes() {
    assertThat(router.route("/mistral/v1/chat/completions")).isNull();
    assertThat(router.route("/openai/v2/chat/completions")).isNull();
    assertThat(router.route("/healthz")).isNull();
    assertThat(router.route("/")).isNull();
    assertThat(router.route("/v2/chat/completions")).isNull();
  }

  @Test
  void classifiesOperations() {
    Map<String, Operation> expected = Map.of(
        "/v1/responses", Operation.RESPONSES,
        "/v1/completions", Operation.COMPLETIONS,
        "/v1/realtime?model=x", Operation.REALTIME,
        "/v1/audio/speech", Operation.OTHER);
    expected.forEach((uri, op) -> assertThat(router.route(uri).operation()).as(uri).isEqualTo(op));
  }

  @Test
  void providerEndpointKeepsAnExplicitNonDefaultPortInTheHostHeader() {
    ProviderConfig config = TestConfigs.provider("https://llm.internal:8443/base/", "bearer", "k", "anthropic");

    ProviderEndpoint endpoint = ProviderEndpoint.of("internal", config);

    assertThat(endpoint.hostHeader()).isEqualTo("llm.internal:8443");
    assertThat(endpoint.basePath()).isEqualTo("/base");
    assertThat(endpoint.dialect()).isEqualTo(ErrorDialect.ANTHROPIC);
  }
}
