package dev.tollgate.core.realtime;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Calls the provider's ephemeral-secret endpoint for {@code POST /session} with a non-blocking client
 * (the JDK's {@link HttpClient}, answers completing on {@code executor}, never on an event loop).
 * Thread-safe; never logs the provider key.
 */
public final class ProviderSessionClient {

  private final HttpClient http;

  /** With {@code tls} (null: the JDK's default), so that it trusts what the relay trusts. */
  public ProviderSessionClient(Executor executor, long connectTimeoutMillis, javax.net.ssl.SSLContext tls) {
    HttpClient.Builder builder = HttpClient.newBuilder()
        .executor(Objects.requireNonNull(executor, "executor"))
        .connectTimeout(Duration.ofMillis(connectTimeoutMillis))
        .version(HttpClient.Version.HTTP_1_1);
    if (tls != null) {
      builder.sslContext(tls);
    }
    this.http = builder.build();
  }

  /** POSTs {@code jsonBody} to {@code uri} with {@code headers}; completes with status and body. */
  public CompletableFuture<Answer> post(URI uri, Map<String, String> headers, String jsonBody, long timeoutMillis) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri)
        .timeout(Duration.ofMillis(timeoutMillis))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(jsonBody));
    headers.forEach(request::header);
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(response -> new Answer(response.statusCode(), response.body()));
  }

  /** The provider's status and body. */
  public record Answer(int status, String body) {
  }
}
