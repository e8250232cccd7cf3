package dev.tollgate.server.metering;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.server.bootstrap.Main;
import dev.tollgate.server.testing.TestGateway;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a gateway process under load loses no answered billable request: the gateway runs as
 * a child JVM ({@link Main}), is killed with SIGKILL while several client threads call it, restarts on the
 * same data directory (replaying its usage journal), and its ledger then holds at least every request the
 * client saw answered completely, and no more than the client sent.
 */
class KillNineIT {

  private static final Pattern LISTENING = Pattern.compile("listening on [^:]+:(\\d+) \\(admin and ops on [^:]+:(\\d+)\\)");
  private static final int CLIENT_THREADS = 8;
  private static final long ANSWERED_BEFORE_KILL = 400;
  private static final ProviderStubs[] MIX = {
      ProviderStubs.CHAT_JSON, ProviderStubs.CHAT_SSE, ProviderStubs.MESSAGES_JSON, ProviderStubs.MESSAGES_SSE};

  @TempDir
  Path dir;
  WireMockServer upstream;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  final List<Process> children = new ArrayList<>();

  @BeforeEach
  void startUpstream() {
    upstream = new WireMockServer(options().dynamicPort().containerThreads(30));
    upstream.start();
    ProviderStubs.install(upstream);
  }

  @AfterEach
  void stop() throws Exception {
    for (Process child : children) {
      child.destroyForcibly();
      child.waitFor(10, TimeUnit.SECONDS);
    }
    upstream.stop();
  }

  @Test
  void ledgerAfterKillNineHoldsEveryRequestTheClientSawAnswered() throws Exception {
    Path config = LedgerGateway.writeConfig(dir, upstream.baseUrl(), TestGateway.testCatalogue(), 0, 0, null);
    Child first = startChild(config);
    assertThat(LedgerGateway.adminRaw(http, first.adminUrl(), "POST", "/admin/tenants",
        "{\"id\":\"acme\",\"name\":\"acme\",\"plan\":\"free\"}", null).statusCode()).isEqualTo(201);
    HttpResponse<String> created = LedgerGateway.adminRaw(http, first.adminUrl(), "POST",
        "/admin/tenants/acme/keys", "{\"name\":\"load\"}", null);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode key = LedgerGateway.JSON.readTree(created.body());
    String secret = key.get("key").asText();

    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong sent = new AtomicLong();
    AtomicLong answered = new AtomicLong();
    List<Thread> clients = new ArrayList<>();
    for (int t = 0; t < CLIENT_THREADS; t++) {
      int offset = t;
      Thread client = new Thread(() -> {
        for (int i = offset; !stop.get(); i++) {
          sent.incrementAndGet();
          try {
            // ofString completes only once the whole body (Content-Length or the last chunk) arrived.
            HttpResponse<String> response = http.send(MIX[i % MIX.length].request(first.baseUrl(), secret),
                HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
              answered.incrementAndGet();
            }
          } catch (java.io.IOException e) {
            // cut by the kill, or refused after it: not answered
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "kill-nine-client-" + t);
      client.start();
      clients.add(client);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (answered.get() < ANSWERED_BEFORE_KILL && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(answered.get()).as("answered before the kill").isGreaterThanOrEqualTo(ANSWERED_BEFORE_KILL);

    first.process().destroyForcibly(); // SIGKILL: no shutdown hook, no final flush
    assertThat(first.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
    stop.set(true);
    for (Thread client : clients) {
      client.join(TimeUnit.SECONDS.toMillis(20));
    }

    Child second = startChild(config);
    long ledger = LedgerGateway.requestsToday(http, second.adminUrl(), "acme");
    long lost = Math.max(0, answered.get() - ledger);
    System.out.printf("KillNineIT: sent %d, answered 200 %d, ledger %d, lost %d, counted but not seen answered %d%n",
        sent.get(), answered.get(), ledger, lost, ledger - answered.get());

    assertThat(ledger).as("ledger vs answered").isGreaterThanOrEqualTo(answered.get());
    assertThat(ledger).as("ledger vs sent").isLessThanOrEqualTo(sent.get());
    second.process().destroy(); // SIGTERM: graceful
    assertThat(second.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
  }

  /** Starts {@link Main} on {@code config} in a child JVM and waits until both listeners are bound. */
  private Child startChild(Path config) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder builder = new ProcessBuilder(java.toString(), "-XX:TieredStopAtLevel=1", "-Xmx256m",
        "-Dlogback.configurationFile=" + Path.of(KillNineIT.class.getResource("/metering/logback-child.xml").toURI()),
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--config", config.toString())
        .redirectErrorStream(true);
    builder.environment().put("TOLLGATE_ADMIN_TOKEN", TestGateway.ADMIN_TOKEN);
    builder.environment().put("OPENAI_API_KEY", TestGateway.OPENAI_KEY);
    builder.environment().put("ANTHROPIC_API_KEY", TestGateway.ANTHROPIC_KEY);
    builder.environment().remove("TOLLGATE_DATA_DIR");
    Process process = builder.start();
    children.add(process);
    CompletableFuture<int[]> ports = new CompletableFuture<>();
    StringBuilder output = new StringBuilder();
    Thread drain = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          synchronized (output) {
            output.append(line).append('\n');
          }
          Matcher m = LISTENING.matcher(line);
          if (m.find()) {
            ports.complete(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
          }
        }
      } catch (java.io.IOException e) {
        // the child died
      }
      ports.completeExceptionally(new AssertionError("child exited before listening"));
    }, "kill-nine-child-output");
    drain.setDaemon(true);
    drain.start();
    try {
      int[] bound = ports.get(60, TimeUnit.SECONDS);
      return new Child(process, "http://127.0.0.1:" + bound[0], "http://127.0.0.1:" + bound[1]);
    } catch (Exception e) {
      synchronized (output) {
        throw new AssertionError("gateway child did not start: " + output, e);
      }
    }
  }

  private record Child(Process process, String baseUrl, String adminUrl) {
  }
}
