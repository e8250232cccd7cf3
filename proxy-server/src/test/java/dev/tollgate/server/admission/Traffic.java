package dev.tollgate.server.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.server.testing.TestGateway;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The client side of the admission ITs: chat completions through a {@link TestGateway}, many at once
 * over many HTTP/1.1 connections, and the admin standing of a tenant.
 */
final class Traffic {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String CHAT_BODY = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  static final String CHAT_OK = "{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"gpt-4o\","
      + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"}}],"
      + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}";

  private final TestGateway gateway;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  Traffic(TestGateway gateway) {
    this.gateway = gateway;
  }

  /** A catalogue of this module's test resources ({@code plans/...}). */
  static Path testResource(String name) {
    try {
      return Path.of(Traffic.class.getResource("/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  HttpRequest.Builder post(String path, String key, String body) {
    return HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path))
        .header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest request) {
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> chat(String key) throws IOException, InterruptedException {
    return send(post("/v1/chat/completions", key, CHAT_BODY).build());
  }

  /**
   * Sends {@code total} chat completions with up to {@code window} in flight at once and waits for all
   * of them; returns every response (order of completion).
   */
  List<HttpResponse<String>> fire(String key, int total, int window) throws InterruptedException {
    Semaphore permits = new Semaphore(window);
    ConcurrentLinkedQueue<HttpResponse<String>> responses = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    CompletableFuture<?>[] all = new CompletableFuture<?>[total];
    HttpRequest request = post("/v1/chat/completions", key, CHAT_BODY).build();
    for (int i = 0; i < total; i++) {
      permits.acquire();
      all[i] = http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
        permits.release();
        if (error != null) {
          failures.add(error);
        } else {
          responses.add(response);
        }
      });
    }
    try {
      CompletableFuture.allOf(all).get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the failures below say what went wrong
    }
    if (!failures.isEmpty()) {
      throw new AssertionError(failures.size() + " requests failed without a response", failures.peek());
    }
    return List.copyOf(responses);
  }

  /** Status code → count. */
  static Map<Integer, Integer> countByStatus(List<HttpResponse<String>> responses) {
    Map<Integer, AtomicInteger> counts = new ConcurrentHashMap<>();
    responses.forEach(r -> counts.computeIfAbsent(r.statusCode(), s -> new AtomicInteger()).incrementAndGet());
    Map<Integer, Integer> out = new java.util.TreeMap<>();
    counts.forEach((status, n) -> out.put(status, n.get()));
    return out;
  }

  static String errorCode(HttpResponse<String> response) {
    try {
      return JSON.readTree(response.body()).path("error").path("code").asText();
    } catch (IOException e) {
      return "unparsable body: " + response.body();
    }
  }

  static String errorMessage(HttpResponse<String> response) {
    try {
      return JSON.readTree(response.body()).path("error").path("message").asText();
    } catch (IOException e) {
      return "unparsable body: " + response.body();
    }
  }

  JsonNode standing(String tenantId) throws IOException, InterruptedException {
    return gateway.admin("GET", "/admin/tenants/" + tenantId + "/standing", null, 200);
  }

  /**
   * The standing once {@code settled} holds for it: completion hooks (settle, refund, slot release) run
   * when the last response byte is written, which may be just after the client has read it. Gives up
   * after 10 s and returns the last standing, so the caller's assertion reports what was seen.
   */
  JsonNode standingOnce(String tenantId, Predicate<JsonNode> settled) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    JsonNode standing = standing(tenantId);
    while (!settled.test(standing) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      standing = standing(tenantId);
    }
    return standing;
  }

  /** The value of the {@code tollgate_in_flight_requests} gauge on the admin listener's /metrics. */
  double inFlightGauge() throws IOException, InterruptedException {
    HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(gateway.adminUrl() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    for (String line : metrics.body().split("\n")) {
      if (line.startsWith("tollgate_in_flight_requests ") || line.startsWith("tollgate_in_flight_requests{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no tollgate_in_flight_requests in /metrics");
  }
}
