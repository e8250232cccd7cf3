package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.bench.mock.MockUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCompareSmokeTest {

  @Test
  void comparesTwoTargetsAndWritesTheReportAndThePlot(@TempDir Path out) throws Exception {
    try (MockUpstream mock = new MockUpstream()) {
      String url = "http://127.0.0.1:" + mock.start(0);
      long pid = ProcessHandle.current().pid();
      CommandLine cli = new CommandLine(List.of("--target", "direct=" + url + ",pid=" + pid,
          "--target", "second=" + url + "/v1/chat/completions", "--rate", "40", "--connections", "2",
          "--duration", "500ms", "--warmup", "0s", "--rounds", "1", "--out", out.toString()));

      Path report = BenchMain.compare(cli, null);

      assertThat(report).exists().hasFileName("report.md");
      assertThat(report.resolveSibling("latency.svg")).exists();
      String markdown = Files.readString(report);
      assertThat(markdown).contains("| direct | ", "| second | ", "open loop at 40.0 req/s");
      assertThat(markdown.lines().filter(line -> line.startsWith("| direct |")).findFirst().orElseThrow())
          .as("the direct row has CPU and RSS of its pid").doesNotContain("–");
      String svg = Files.readString(report.resolveSibling("latency.svg"));
      assertThat(svg).startsWith("<svg").contains(">direct</text>", ">second</text>");
      assertThat(svg.split("<polyline", -1)).hasSize(3);
    }
  }
}
