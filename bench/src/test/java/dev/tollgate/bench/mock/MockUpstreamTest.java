package dev.tollgate.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MockUpstreamTest {

  private static final MockUpstream MOCK = new MockUpstream(3, 0, 1);
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static int port;

  @BeforeAll
  static void start() throws InterruptedException {
    port = MOCK.start(0);
  }

  @AfterAll
  static void stop() {
    MOCK.close();
  }

  @Test
  void answersAChatCompletionWithUsageAndTheRequestedModel() throws Exception {
    HttpResponse<String> response = post("/v1/chat/completions", "{\"model\": \"gpt-test\",\"messages\":[]}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(response.body())
        .contains("\"object\":\"chat.completion\"", "\"model\":\"gpt-test\"", "\"content\":\"toktoktok\"")
        .contains("\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}");
  }

  @Test
  void streamsChatChunksThenUsageThenDoneWhenUsageIsAskedFor() throws Exception {
    HttpResponse<String> response = post("/v1/chat/completions?chunks=2",
        "{\"model\":\"m\",\"stream\" : true,\"stream_options\":{\"include_usage\":true}}");

    assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
    List<String> events = events(response.body());
    assertThat(events).hasSize(4);
    assertThat(events.get(0)).contains("\"delta\":{\"content\":\"tok\"}", "\"usage\":null");
    assertThat(events.get(2)).contains("\"choices\":[]", "\"completion_tokens\":2");
    assertThat(events.get(3)).isEqualTo("data: [DONE]");
  }

  @Test
  void streamsNoUsageChunkUnlessAskedFor() throws Exception {
    HttpResponse<String> response = post("/v1/chat/completions", "{\"model\":\"m\",\"stream\":true}");

    List<String> events = events(response.body());
    assertThat(events).hasSize(4).noneMatch(e -> e.contains("usage"));
    assertThat(events.get(3)).isEqualTo("data: [DONE]");
  }

  @Test
  void streamsAnthropicEventsInOrderWithCumulativeUsage() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/messages"))
        .header("x-mock-chunks", "2")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude-test\",\"stream\":true}"))
        .build();

    List<String> events = events(CLIENT.send(request, HttpResponse.BodyHandlers.ofString()).body());

    assertThat(events).extracting(e -> e.lines().findFirst().orElseThrow()).containsExactly(
        "event: message_start", "event: content_block_start", "event: content_block_delta",
        "event: content_block_delta", "event: content_block_stop", "event: message_delta", "event: message_stop");
    assertThat(events.get(0)).contains("\"model\":\"claude-test\"", "\"input_tokens\":12");
    assertThat(events.get(5)).contains("\"stop_reason\":\"end_turn\"", "\"output_tokens\":2");
  }

  @Test
  void leadsAStreamWithItsSendTimeStampOnlyWhenAsked() throws Exception {
    String path = "/v1/chat/completions";
    String body = "{\"model\":\"m\",\"stream\":true}";
    long before = System.nanoTime();
    List<String> stamped = events(send(request(path, body).header(MockUpstream.STAMP_HEADER, "1")));
    long after = System.nanoTime();
    List<String> unstamped = events(post(path, body).body());
    List<String> stampedOff = events(send(request(path, body).header(MockUpstream.STAMP_HEADER, "0")));

    assertThat(stamped.get(0)).matches(": t=-?\\d+");
    assertThat(Long.parseLong(stamped.get(0).substring(": t=".length()))).isBetween(before, after);
    assertThat(stamped.subList(1, stamped.size())).isEqualTo(unstamped);
    assertThat(unstamped).noneMatch(e -> e.startsWith(":"));
    assertThat(stampedOff).isEqualTo(unstamped);
  }

  @Test
  void stampsAnthropicStreamsAndDelayedStreamsByQueryToo() throws Exception {
    List<String> anthropic = events(send(request("/v1/messages?stamp=1&chunks=2&chunk_delay_ms=5",
        "{\"model\":\"claude-test\",\"stream\":true}")));
    List<String> delayedChat = events(send(request("/v1/chat/completions?stamp=1&chunks=2&chunk_delay_ms=5",
        "{\"model\":\"m\",\"stream\":true}")));

    assertThat(anthropic.get(0)).matches(": t=-?\\d+");
    assertThat(anthropic.get(1)).startsWith("event: message_start");
    assertThat(anthropic).hasSize(8).filteredOn(e -> e.startsWith(":")).hasSize(1);
    assertThat(delayedChat.get(0)).matches(": t=-?\\d+");
    assertThat(delayedChat).hasSize(4).filteredOn(e -> e.startsWith(":")).hasSize(1);
  }

  @Test
  void neverStampsAJsonAnswer() throws Exception {
    String json = send(request("/v1/chat/completions", "{\"model\":\"m\"}")
        .header(MockUpstream.STAMP_HEADER, "1"));

    assertThat(json).startsWith("{\"id\":");
  }

  @Test
  void answersAnthropicJsonWhenNotStreaming() throws Exception {
    HttpResponse<String> response = post("/v1/messages", "{\"model\":\"claude-test\",\"stream\":false}");

    assertThat(response.body()).contains("\"type\":\"message\"", "\"output_tokens\":3");
  }

  @Test
  void answersUnknownRoutesWithNotFound() throws Exception {
    assertThat(post("/v1/nothing", "{}").statusCode()).isEqualTo(404);
  }

  private static HttpResponse<String> post(String pathAndQuery, String body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
    return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder request(String pathAndQuery, String body) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private static String send(HttpRequest.Builder request) throws Exception {
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private static List<String> events(String sse) {
    return List.of(sse.strip().split("\n\n"));
  }
}
