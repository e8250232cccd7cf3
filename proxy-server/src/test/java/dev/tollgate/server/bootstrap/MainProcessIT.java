package dev.tollgate.server.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Main} as a real child process: a bad start-up exits with status 2 and says why. */
class MainProcessIT {

  @TempDir
  Path dir;

  @Test
  void unknownConfigKeyExitsWithStatusTwoNamingTheFileAndTheKey() throws Exception {
    Path config = dir.resolve("bad.yaml");
    Files.writeString(config, "server:\n  port: 0\n  colour: red\n");

    Result result = runMain("--config", config.toString());

    assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
    assertThat(result.output()).contains(config.toString()).contains("server.colour").contains("unknown key");
  }

  @Test
  void missingConfigFileExitsWithStatusTwoNamingTheFile() throws Exception {
    Path config = dir.resolve("absent.yaml");

    Result result = runMain("--config", config.toString());

    assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
    assertThat(result.output()).contains(config.toString()).contains("no such file");
  }

  private static Result runMain(String... args) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new java.util.ArrayList<>(List.of(java.toString(), "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().remove("TOLLGATE_ADMIN_TOKEN");
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("Main did not exit within 30 s: " + output);
    }
    return new Result(process.exitValue(), output);
  }

  private record Result(int exitCode, String output) {
  }
}
