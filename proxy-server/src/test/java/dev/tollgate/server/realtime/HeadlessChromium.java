package dev.tollgate.server.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's headless Chromium driven over the DevTools protocol with the JDK's HTTP and WebSocket
 * clients (no Selenium, no downloaded browser): navigate, evaluate, and collect console errors and
 * uncaught exceptions. Loopback only.
 */
final class HeadlessChromium implements AutoCloseable {

  static final Path BINARY = Path.of("/usr/bin/chromium");
  private static final ObjectMapper JSON = new ObjectMapper();

  final List<String> errors = new CopyOnWriteArrayList<>();
  private final Process process;
  private final Path profile;
  private final WebSocket devtools;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

  private HeadlessChromium(Process process, Path profile, WebSocket devtools) {
    this.process = process;
    this.profile = profile;
    this.devtools = devtools;
  }

  static boolean installed() {
    return Files.isExecutable(BINARY);
  }

  /**
   * The port Chromium wrote into {@code portFile}: the file appears before its lines are written, so it
   * is read again until its first line (the port) is there, for up to 15 seconds.
   */
  private static String devToolsPort(Path portFile) throws Exception {
    for (int i = 0; i < 300; i++) {
      if (Files.exists(portFile)) {
        List<String> lines = Files.readAllLines(portFile);
        if (lines.size() >= 2 && !lines.get(0).isBlank()) { // "port", then the browser's path: written whole
          return lines.get(0).trim();
        }
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("Chromium wrote no DevTools port into " + portFile);
  }

  /** Starts Chromium on about:blank and attaches to its page target. */
  static HeadlessChromium start() throws Exception {
    Path profile = Files.createTempDirectory("tollgate-chromium");
    Process process = new ProcessBuilder(BINARY.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
        "--no-first-run", "--no-default-browser-check", "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0", "--user-data-dir=" + profile, "about:blank")
        .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
    String port;
    try {
      port = devToolsPort(profile.resolve("DevToolsActivePort"));
    } catch (Exception e) {
      process.destroyForcibly();
      throw e;
    }
    HttpClient http = HttpClient.newHttpClient();
    JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/json/list")).build(), HttpResponse.BodyHandlers.ofString()).body());
    String pageUrl = null;
    for (JsonNode target : targets) {
      if ("page".equals(target.path("type").asText())) {
        pageUrl = target.get("webSocketDebuggerUrl").asText();
      }
    }
    HeadlessChromium[] self = new HeadlessChromium[1];
    Listener listener = new Listener(self);
    WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(pageUrl), listener).get(10, TimeUnit.SECONDS);
    self[0] = new HeadlessChromium(process, profile, ws);
    self[0].call("Runtime.enable", null);
    self[0].call("Log.enable", null);
    self[0].call("Page.enable", null);
    return self[0];
  }

  /** Navigates and waits for the load event. */
  void navigate(String url) throws Exception {
    ObjectNode params = JSON.createObjectNode().put("url", url);
    call("Page.navigate", params);
    for (int i = 0; i < 200; i++) {
      if ("complete".equals(evaluate("document.readyState").asText())) {
        return;
      }
      Thread.sleep(25);
    }
  }

  /** Evaluates {@code expression} in the page (awaiting a promise) and returns its value. */
  JsonNode evaluate(String expression) throws Exception {
    ObjectNode params = JSON.createObjectNode().put("expression", expression).put("awaitPromise", true)
        .put("returnByValue", true);
    JsonNode result = call("Runtime.evaluate", params);
    if (result.has("exceptionDetails")) {
      throw new AssertionError("page threw: " + result.get("exceptionDetails"));
    }
    return result.path("result").path("value");
  }

  private JsonNode call(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
    if (params != null) {
      message.set("params", params);
    }
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    devtools.sendText(message.toString(), true).join();
    return answer.get(20, TimeUnit.SECONDS);
  }

  private void onMessage(String text) throws IOException {
    JsonNode message = JSON.readTree(text);
    if (message.has("id")) {
      CompletableFuture<JsonNode> answer = pending.remove(message.get("id").asInt());
      if (answer != null) {
        answer.complete(message.path("result"));
      }
      return;
    }
    String method = message.path("method").asText();
    JsonNode params = message.path("params");
    if (method.equals("Runtime.exceptionThrown")) {
      errors.add("exception: " + params.path("exceptionDetails"));
    } else if (method.equals("Runtime.consoleAPICalled") && params.path("type").asText().equals("error")) {
      errors.add("console.error: " + params.path("args"));
    } else if (method.equals("Log.entryAdded") && params.path("entry").path("level").asText().equals("error")) {
      errors.add("log: " + params.path("entry").path("text").asText() + " " + params.path("entry").path("url").asText());
    }
  }

  @Override
  public void close() throws Exception {
    devtools.abort();
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    try (var files = Files.walk(profile)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static final class Listener implements WebSocket.Listener {
    private final HeadlessChromium[] owner;
    private final StringBuilder text = new StringBuilder();

    Listener(HeadlessChromium[] owner) {
      this.owner = owner;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        String message = text.toString();
        text.setLength(0);
        try {
          // Chromium sends nothing before the first command, which is sent once the owner is set
          owner[0].onMessage(message);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
      webSocket.request(1);
      return null;
    }
  }
}
