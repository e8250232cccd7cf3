package dev.tollgate.server.bootstrap;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.core.config.ConfigHolder;
import dev.tollgate.core.config.GatewayConfig;
import dev.tollgate.server.config.ConfigLoader;
import dev.tollgate.server.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ConfigWatcher} against a running {@link GatewayServer}: a valid change reaches new requests
 * on an open keep-alive connection; an invalid file is refused and the running config stays.
 */
class ConfigReloadIT {

  private static final Map<String, String> ENV = Map.of("TOLLGATE_ADMIN_TOKEN", TestGateway.ADMIN_TOKEN,
      "OPENAI_API_KEY", TestGateway.OPENAI_KEY, "ANTHROPIC_API_KEY", TestGateway.ANTHROPIC_KEY);

  WireMockServer first;
  WireMockServer second;
  Path dir;
  Path configFile;
  ConfigHolder holder;
  GatewayServer server;
  ConfigWatcher watcher;
  String key;

  @BeforeEach
  void start() throws Exception {
    first = upstream("first");
    second = upstream("second");
    dir = Files.createTempDirectory("tollgate-reload");
    configFile = dir.resolve("gateway.yaml");
    Files.writeString(configFile, config(first.baseUrl(), ""));
    ConfigLoader loader = new ConfigLoader(ENV::get);
    holder = new ConfigHolder(loader.load(configFile));
    server = GatewayServer.start(holder);
    watcher = new ConfigWatcher(configFile, loader, holder, server);
    key = createTenantWithKey();
  }

  @AfterEach
  void stop() throws Exception {
    watcher.close();
    server.close();
    first.stop();
    second.stop();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void reloadSendsNewRequestsToTheNewUpstreamOverTheSameKeepAliveConnection() throws Exception {
    try (Socket client = new Socket("127.0.0.1", server.port())) {
      assertThat(chat(client)).contains("\"from\":\"first\"");

      Files.writeString(configFile, config(second.baseUrl(), ""));
      watcher.reload(); // the file watch may have got there first; either way the new tree is in

      assertThat(holder.current().provider("openai").baseUrl()).isEqualTo(second.baseUrl());
      assertThat(chat(client)).contains("\"from\":\"second\"");
    }
    first.verify(1, anyRequestedFor(anyUrl()));
    second.verify(1, anyRequestedFor(anyUrl()));
  }

  @Test
  void fileChangeAloneIsPickedUpByTheWatch() throws Exception {
    Files.writeString(configFile, config(second.baseUrl(), ""));

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!holder.current().provider("openai").baseUrl().equals(second.baseUrl()) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }

    assertThat(holder.current().provider("openai").baseUrl()).isEqualTo(second.baseUrl());
  }

  @Test
  void invalidFileIsRefusedAndTheRunningConfigStays() throws Exception {
    GatewayConfig before = holder.current();
    Files.writeString(configFile, config(second.baseUrl(), "  colour: red\n"));

    assertThat(watcher.reload()).isFalse();

    assertThat(holder.current()).isSameAs(before);
    try (Socket client = new Socket("127.0.0.1", server.port())) {
      assertThat(chat(client)).contains("\"from\":\"first\"");
    }
    second.verify(0, anyRequestedFor(anyUrl()));
  }

  /** The whole test config; {@code serverExtra} goes under {@code server:} (two-space indented lines). */
  private String config(String openAiBaseUrl, String serverExtra) {
    return "server:\n  host: 127.0.0.1\n  port: 0\n  shutdownGraceMillis: 2000\n" + serverExtra
        + "admin:\n  host: 127.0.0.1\n  port: 0\n"
        + "store:\n  dataDir: " + dir.resolve("data") + "\n"
        + "plans:\n  catalogueFile: " + TestGateway.testCatalogue() + "\n"
        + "pricing:\n  modelsFile: " + TestGateway.projectFile("config/models.yaml") + "\n"
        + "providers:\n  openai:\n    baseUrl: " + openAiBaseUrl + "\n";
  }

  private static WireMockServer upstream(String name) {
    WireMockServer upstream = new WireMockServer(options().dynamicPort());
    upstream.start();
    upstream.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json")
        .withBody("{\"from\":\"" + name + "\",\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}")));
    return upstream;
  }

  private String createTenantWithKey() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String adminUrl = "http://127.0.0.1:" + server.adminPort();
    for (String[] call : new String[][] {
        {"/admin/tenants", "{\"id\":\"acme\",\"name\":\"acme\",\"plan\":\"free\"}"},
        {"/admin/tenants/acme/keys", "{}"}}) {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(adminUrl + call[0]))
          .header("Authorization", "Bearer " + TestGateway.ADMIN_TOKEN)
          .POST(HttpRequest.BodyPublishers.ofString(call[1])).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
      if (call[0].endsWith("/keys")) {
        return new ObjectMapper().readTree(response.body()).get("key").asText();
      }
    }
    throw new AssertionError("unreachable");
  }

  /** Sends one keep-alive chat request on {@code client} and returns the response (head and body). */
  private String chat(Socket client) throws IOException {
    byte[] body = "{\"model\":\"gpt-4o\",\"messages\":[]}".getBytes(StandardCharsets.UTF_8);
    OutputStream out = client.getOutputStream();
    out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
    return readResponse(client.getInputStream());
  }

  /** Reads one HTTP/1.1 response framed by Content-Length or chunked encoding; leaves the connection open. */
  private static String readResponse(InputStream in) throws IOException {
    String head = readUntil(in, "\r\n\r\n");
    assertThat(head).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("connection: close");
    String lower = head.toLowerCase();
    int lengthAt = lower.indexOf("content-length:");
    if (lengthAt >= 0) {
      int length = Integer.parseInt(lower.substring(lengthAt + 15, lower.indexOf("\r\n", lengthAt)).trim());
      return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
    assertThat(lower).contains("transfer-encoding: chunked");
    StringBuilder body = new StringBuilder();
    while (true) {
      int size = Integer.parseInt(readUntil(in, "\r\n").trim().split(";")[0], 16);
      if (size == 0) {
        readUntil(in, "\r\n");
        return head + body;
      }
      body.append(new String(in.readNBytes(size), StandardCharsets.UTF_8));
      readUntil(in, "\r\n");
    }
  }

  private static String readUntil(InputStream in, String end) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (!out.toString(StandardCharsets.US_ASCII).endsWith(end)) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed by the gateway after: " + out.toString(StandardCharsets.US_ASCII));
      }
      out.write(b);
    }
    return out.toString(StandardCharsets.US_ASCII);
  }
}
