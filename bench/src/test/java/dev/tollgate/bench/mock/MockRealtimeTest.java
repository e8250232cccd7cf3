package dev.tollgate.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MockRealtimeTest {

  @Test
  void greetsWithSessionCreatedThenEchoesEachTextFrameAsADeltaEvent() throws Exception {
    try (MockUpstream mock = new MockUpstream()) {
      int port = mock.start(0);
      BlockingQueue<String> events = new LinkedBlockingQueue<>();
      WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
          .buildAsync(URI.create("ws://127.0.0.1:" + port + "/v1/realtime?model=gpt-4o-realtime-preview"),
              new Collecting(events)).join();

      assertThat(events.poll(5, TimeUnit.SECONDS)).startsWith("{\"type\":\"session.created\"")
          .contains("\"model\":\"gpt-4o-realtime-preview\"");

      ws.sendText("say \"hi\"\n", true).join();

      assertThat(events.poll(5, TimeUnit.SECONDS))
          .isEqualTo("{\"type\":\"response.output_text.delta\",\"delta\":\"say \\\"hi\\\"\\u000a\"}");
      ws.sendClose(1000, "done").join();
      assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("close:1000");
    }
  }

  @Test
  void stillAnswersHttpOnTheSamePort() throws Exception {
    try (MockUpstream mock = new MockUpstream()) {
      int port = mock.start(0);
      var response = HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
              .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\"}")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("chat.completion");
    }
  }

  private record Collecting(BlockingQueue<String> events) implements WebSocket.Listener {

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      events.add(data.toString());
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      events.add("close:" + statusCode);
      return null;
    }
  }
}
