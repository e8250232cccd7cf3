package dev.tollgate.core.alert;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers {@link AlertEvent}s as signed HTTP POSTs, retrying a failing receiver with backoff and
 * recording every attempt in the {@link AlertStore}. Asynchronous throughout (JDK {@link HttpClient}
 * {@code sendAsync}); store calls run on the store executor, so no caller thread ever blocks.
 *
 * <h2>What a receiver gets</h2>
 * <pre>
 * POST &lt;url&gt;
 * Content-Type: application/json
 * Tollgate-Event-Id: evt_3f1c...      the same on every retry of one alert: deduplicate on it
 * Tollgate-Timestamp: 1795464000      Unix seconds when this attempt was signed
 * Tollgate-Signature: v1=5a0b...      lowercase hex HMAC-SHA256(secret, timestamp + "." + body)
 *
 * {"id":"evt_3f1c...","type":"usage.threshold","tenant":"acme","period":"2026-11",
 *  "threshold":80,"used":8000,"included":10000,"unit":"requests","summary":"..."}
 * </pre>
 * A Slack-compatible target gets {@code {"text":"<summary>"}} instead, signed the same way.
 *
 * <h2>How to verify</h2>
 * Take the raw request body as received (UTF-8, before any JSON parsing), compute
 * {@code HMAC-SHA256(secret, Tollgate-Timestamp + "." + body)} as lowercase hex and compare it in
 * constant time with the {@code v1=} value of {@code Tollgate-Signature} (the header may hold several
 * comma-separated {@code v1=} values while a secret is rotated; any match is valid). Reject timestamps
 * more than a few minutes from your clock to stop replays. {@link #verify} does exactly this.
 *
 * <h2>Retries</h2>
 * 5xx, 429, timeouts and connection errors are retried per {@link RetryPolicy} (each attempt re-signed
 * with a fresh timestamp); other statuses are final. An event id already delivered is not sent again.
 */
public final class WebhookSender {

  /** Header carrying the event id, stable across retries. */
  public static final String EVENT_ID_HEADER = "Tollgate-Event-Id";
  /** Header carrying the Unix time in seconds the attempt was signed at. */
  public static final String TIMESTAMP_HEADER = "Tollgate-Timestamp";
  /** Header carrying {@code v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>}. */
  public static final String SIGNATURE_HEADER = "Tollgate-Signature";

  private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SCHEME = "v1=";

  private final HttpClient client;
  private final AlertStore store;
  private final Executor storeExecutor;
  private final RetryPolicy retry;
  private final Clock clock;

  /**
   * @param client shared HTTP client; its redirect policy should be {@code NEVER} (the default)
   * @param storeExecutor where blocking {@link AlertStore} calls run (the SQLite store's executor)
   */
  public WebhookSender(HttpClient client, AlertStore store, Executor storeExecutor, RetryPolicy retry, Clock clock) {
    this.client = requireNonNull(client, "client");
    this.store = requireNonNull(store, "store");
    this.storeExecutor = requireNonNull(storeExecutor, "storeExecutor");
    this.retry = requireNonNull(retry, "retry");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Delivers {@code event} to {@code target}, retrying as needed. The future completes once delivery
   * ended either way; it completes exceptionally only on a bug, never because the receiver failed.
   */
  public CompletableFuture<DeliveryResult> send(WebhookTarget target, AlertEvent event) {
    requireNonNull(target, "target");
    requireNonNull(event, "event");
    String body = target.slack() ? slackBody(event) : jsonBody(event);
    return CompletableFuture.supplyAsync(() -> store.delivered(event.eventId()), storeExecutor)
        .thenCompose(delivered -> delivered
            ? CompletableFuture.completedFuture(
                new DeliveryResult(event.eventId(), DeliveryResult.Status.ALREADY_DELIVERED, 0, 0))
            : attempt(target, event, body, 1));
  }

  /**
   * Whether {@code signatureHeader} is a valid signature of {@code body} sent at {@code timestamp} and
   * the timestamp is within {@code toleranceSeconds} of {@code now}. For receivers and tests.
   */
  public static boolean verify(
      String secret, String timestamp, String body, String signatureHeader, long toleranceSeconds, Instant now) {
    if (secret == null || timestamp == null || body == null || signatureHeader == null) {
      return false;
    }
    long seconds;
    try {
      seconds = Long.parseLong(timestamp.trim());
    } catch (NumberFormatException e) {
      return false;
    }
    if (Math.abs(now.getEpochSecond() - seconds) > toleranceSeconds) {
      return false;
    }
    byte[] expected = sign(secret, seconds, body).getBytes(StandardCharsets.US_ASCII);
    for (String part : signatureHeader.split(",")) {
      String candidate = part.trim();
      if (candidate.startsWith(SCHEME)
          && MessageDigest.isEqual(expected, candidate.substring(SCHEME.length()).getBytes(StandardCharsets.US_ASCII))) {
        return true;
      }
    }
    return false;
  }

  /** The lowercase hex HMAC-SHA256 of {@code timestampSeconds + "." + body} under {@code secret}. */
  static String sign(String secret, long timestampSeconds, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] digest = mac.doFinal((timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }

  /** The JSON event body: id, type, tenant, period, then the type's fields and the summary. */
  static String jsonBody(AlertEvent event) {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", event.eventId());
    node.put("type", event.type());
    node.put("tenant", event.tenantId());
    node.put("period", event.periodKey());
    for (Map.Entry<String, Object> field : event.fields().entrySet()) {
      node.set(field.getKey(), JSON.valueToTree(field.getValue()));
    }
    node.put("summary", event.summary());
    return write(node);
  }

  /** The Slack incoming-webhook body: {@code {"text": summary}}. */
  static String slackBody(AlertEvent event) {
    return write(JSON.createObjectNode().put("text", event.summary()));
  }

  private CompletableFuture<DeliveryResult> attempt(WebhookTarget target, AlertEvent event, String body, int attempt) {
    long timestamp = clock.instant().getEpochSecond();
    HttpRequest request = HttpRequest.newBuilder(target.url())
        .timeout(Duration.ofMillis(retry.requestTimeoutMillis()))
        .header("Content-Type", "application/json")
        .header("User-Agent", "Tollgate-Webhooks/1")
        .header(EVENT_ID_HEADER, event.eventId())
        .header(TIMESTAMP_HEADER, Long.toString(timestamp))
        .header(SIGNATURE_HEADER, SCHEME + sign(target.secret(), timestamp, body))
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
        .build();
    return client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .handle((response, error) -> classify(event, attempt, response, error))
        .thenCompose(recorded -> record(recorded).thenCompose(ignored -> next(target, event, body, recorded)));
  }

  private DeliveryAttempt classify(AlertEvent event, int attempt, HttpResponse<Void> response, Throwable error) {
    long now = clock.millis();
    if (error != null) {
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      // Timeouts, refused connections and resets are all worth another try; the detail says which.
      String detail = cause instanceof HttpTimeoutException ? "timeout"
          : cause instanceof ConnectException ? "connect" : cause.getClass().getSimpleName();
      return new DeliveryAttempt(event.eventId(), event.tenantId(), attempt, 0, retryable(attempt), detail, now);
    }
    int status = response.statusCode();
    DeliveryAttempt.Outcome outcome;
    if (status >= 200 && status < 300) {
      outcome = DeliveryAttempt.Outcome.DELIVERED;
    } else if (status >= 500 || status == 429) {
      outcome = retryable(attempt);
    } else {
      outcome = DeliveryAttempt.Outcome.REJECTED;
    }
    return new DeliveryAttempt(event.eventId(), event.tenantId(), attempt, status, outcome, "", now);
  }

  private DeliveryAttempt.Outcome retryable(int attempt) {
    return attempt < retry.maxAttempts() ? DeliveryAttempt.Outcome.RETRYING : DeliveryAttempt.Outcome.GAVE_UP;
  }

  private CompletableFuture<Void> record(DeliveryAttempt attempt) {
    return CompletableFuture.runAsync(() -> store.recordAttempt(attempt), storeExecutor)
        .exceptionally(e -> {
          // Losing the record must not lose the alert: deliver anyway and say so.
          log.warn("alert {}: cannot record delivery attempt {}", attempt.eventId(), attempt.attempt(), e);
          return null;
        });
  }

  private CompletableFuture<DeliveryResult> next(
      WebhookTarget target, AlertEvent event, String body, DeliveryAttempt done) {
    DeliveryResult.Status status = switch (done.outcome()) {
      case DELIVERED -> DeliveryResult.Status.DELIVERED;
      case REJECTED -> DeliveryResult.Status.REJECTED;
      case GAVE_UP -> DeliveryResult.Status.GAVE_UP;
      case RETRYING -> null;
    };
    if (status != null) {
      if (status != DeliveryResult.Status.DELIVERED) {
        log.warn("alert {} for tenant {}: {} after {} attempt(s), last status {}",
            done.eventId(), done.tenantId(), status, done.attempt(), done.statusCode());
      }
      return CompletableFuture.completedFuture(
          new DeliveryResult(done.eventId(), status, done.attempt(), done.statusCode()));
    }
    long delayMillis = retry.delayMillisAfter(done.attempt(), ThreadLocalRandom.current().nextDouble());
    Executor later = CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS);
    return CompletableFuture.supplyAsync(() -> attempt(target, event, body, done.attempt() + 1), later)
        .thenCompose(future -> future);
  }

  private static String write(ObjectNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("alert body not serialisable", e);
    }
  }
}
