package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.bench.mock.MockUpstream;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchRealtimeSmokeTest {

  @Test
  void measuresEchoedFramesAgainstTheMockWithoutErrors() throws Exception {
    try (MockUpstream mock = new MockUpstream()) {
      String url = "ws://127.0.0.1:" + mock.start(0) + "/v1/realtime?model=gpt-4o-realtime-preview";
      CommandLine cli = new CommandLine(List.of("--url", url, "--sessions", "2", "--in-flight", "2",
          "--duration", "300ms", "--warmup", "0s", "--header", "Authorization: Bearer sk-mock"));

      String summary = BenchMain.realtime(cli, null);

      assertThat(summary).contains("2 of 2 sessions", "errors 0", "round trip µs: p50 ")
          .doesNotContain(" 0 frames/s");
    }
  }

  @Test
  void countsRefusedUpgradesAsHandshakeErrors() throws Exception {
    try (MockUpstream mock = new MockUpstream()) {
      String url = "ws://127.0.0.1:" + mock.start(0) + "/v1/no-such-socket";
      CommandLine cli = new CommandLine(List.of("--url", url, "--sessions", "1", "--duration", "100ms",
          "--warmup", "0s", "--timeout", "2s"));

      String summary = BenchMain.realtime(cli, null);

      assertThat(summary).contains("0 of 1 sessions", "errors 1 {handshake=1}");
    }
  }
}
