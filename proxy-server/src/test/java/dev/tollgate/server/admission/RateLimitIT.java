package dev.tollgate.server.admission;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.server.testing.TestGateway;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The plan's GCRA limits on real traffic ({@code plans/rate-limits.yaml}): one request per 20 s, so
 * nothing refills during a test and every figure below follows from the plan alone.
 */
class RateLimitIT {

  static WireMockServer upstream;
  static TestGateway gateway;
  static Traffic traffic;

  @BeforeAll
  static void start() throws Exception {
    upstream = new WireMockServer(options().dynamicPort());
    upstream.start();
    upstream.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json").withBody(Traffic.CHAT_OK)));
    gateway = TestGateway.start("providers:\n  openai:\n    baseUrl: " + upstream.baseUrl() + "\n"
        + "plans:\n  catalogueFile: " + Traffic.testResource("plans/rate-limits.yaml") + "\n");
    traffic = new Traffic(gateway);
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    upstream.stop();
  }

  @BeforeEach
  void forgetUpstreamRequests() {
    upstream.resetRequests();
  }

  @Test
  void burstBeyondThePlansBurstIsRefusedWithRateLimitHeadersMatchingThePlan() throws Exception {
    gateway.createTenant("bursty", "burst");
    String key = gateway.createKey("bursty").get("key").asText();
    for (int i = 1; i <= 5; i++) {
      assertThat(traffic.chat(key).statusCode()).as("request %d of the burst of 5", i).isEqualTo(200);
    }

    HttpResponse<String> refused = traffic.chat(key);

    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(Traffic.errorCode(refused)).isEqualTo("rate_limit_exceeded");
    assertThat(refused.headers().firstValue("x-ratelimit-limit")).hasValue("5");
    assertThat(refused.headers().firstValue("x-ratelimit-remaining")).hasValue("0");
    long retryAfter = Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow());
    long reset = Long.parseLong(refused.headers().firstValue("x-ratelimit-reset").orElseThrow());
    // At 0.05 requests/s one request is allowed again within 20 s, and the bucket of 5 is full again
    // (4 × 20 s) = 80 s after that.
    assertThat(retryAfter).isBetween(1L, 20L);
    assertThat(reset).isBetween(81L, 100L);
    assertThat(reset - retryAfter).isBetween(79L, 81L);
    assertThat(Traffic.errorMessage(refused)).isEqualTo("Rate limit exceeded for this API key: retry in " + retryAfter + " s.");
    upstream.verify(5, postRequestedFor(urlEqualTo("/v1/chat/completions")));
  }

  @Test
  void perKeyLimitRefusesOneKeyWhileAnotherKeyOfTheSameTenantPasses() throws Exception {
    gateway.createTenant("two-keys", "perkey");
    String noisy = gateway.createKey("two-keys").get("key").asText();
    String quiet = gateway.createKey("two-keys").get("key").asText();
    for (int i = 1; i <= 3; i++) {
      assertThat(traffic.chat(noisy).statusCode()).as("request %d of the key's burst of 3", i).isEqualTo(200);
    }

    HttpResponse<String> refused = traffic.chat(noisy);
    HttpResponse<String> otherKey = traffic.chat(quiet);

    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(Traffic.errorMessage(refused)).startsWith("Rate limit exceeded for this API key");
    assertThat(refused.headers().firstValue("x-ratelimit-limit")).hasValue("3");
    assertThat(refused.headers().firstValue("x-ratelimit-remaining")).hasValue("0");
    assertThat(otherKey.statusCode()).as(otherKey.body()).isEqualTo(200);
    upstream.verify(4, postRequestedFor(urlEqualTo("/v1/chat/completions")));
  }
}
