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
      assertThat(markdown).doesNotContain("relay delay");
    }
  }

  @Test
  void showsEachRoundsCpuPerRequestOfTargetsWithAPid(@TempDir Path out) throws Exception {
    try (MockUpstream mock = new MockUpstream()) {
      String url = "http://127.0.0.1:" + mock.start(0);
      long pid = ProcessHandle.current().pid();
      CommandLine cli = new CommandLine(List.of("--target", "direct=" + url + ",pid=" + pid,
          "--target", "second=" + url, "--rate", "40", "--connections", "2", "--duration", "300ms",
          "--warmup", "0s", "--rounds", "2", "--out", out.toString()));

      String markdown = Files.readString(BenchMain.compare(cli, null));

      assertThat(markdown).contains("## CPU µs per request, round by round",
          "| target | round 1 | round 2 |");
      String section = markdown.substring(markdown.indexOf("## CPU µs per request, round by round"));
      String directRow = section.lines().filter(line -> line.startsWith("| direct |")).findFirst().orElseThrow();
      assertThat(directRow.split("\\|", -1)).as("a value for each of the two rounds").hasSize(5);
      assertThat(section.lines().takeWhile(line -> !line.startsWith("##") || line.contains("round by round")))
          .as("no row for the target without a pid").noneMatch(line -> line.startsWith("| second |"));
    }
  }

  @Test
  void reportsTheRelayDelayOfTheFirstSseByteForStreamsByDefault(@TempDir Path out) throws Exception {
    try (MockUpstream mock = new MockUpstream()) {
      String url = "http://127.0.0.1:" + mock.start(0);
      CommandLine cli = new CommandLine(List.of("--target", "direct=" + url, "--target", "second=" + url,
          "--stream", "--rate", "40", "--connections", "2", "--duration", "500ms", "--warmup", "0s",
          "--rounds", "1", "--out", out.toString()));

      String markdown = Files.readString(BenchMain.compare(cli, null));

      assertThat(markdown).contains("## First SSE byte: relay delay after the upstream sent it",
          "| target | streams | p50 | p90 | p99 | max | +p50 vs direct |");
      String section = markdown.substring(markdown.indexOf("## First SSE byte"));
      assertThat(section.lines().filter(line -> line.startsWith("| direct | ")).findFirst().orElseThrow())
          .as("the direct row counts its stamped streams").doesNotContain("| 0 |").endsWith("| +0 |");
      assertThat(section).contains("| second | ").doesNotContain("not counted here");
    }
  }

  @Test
  void leavesTheRelayDelayOutWhenStampsAreTurnedOff(@TempDir Path out) throws Exception {
    try (MockUpstream mock = new MockUpstream()) {
      String url = "http://127.0.0.1:" + mock.start(0);
      CommandLine cli = new CommandLine(List.of("--target", "direct=" + url, "--stream", "--stamp", "0",
          "--rate", "40", "--connections", "2", "--duration", "500ms", "--warmup", "0s", "--rounds", "1",
          "--out", out.toString()));

      String markdown = Files.readString(BenchMain.compare(cli, null));

      assertThat(markdown).contains("## Time to first byte (SSE)").doesNotContain("relay delay");
    }
  }
}
