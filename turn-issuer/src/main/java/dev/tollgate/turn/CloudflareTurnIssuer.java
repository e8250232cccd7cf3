package dev.tollgate.turn;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mints credentials with the Cloudflare Realtime TURN key API (PROTOCOLS.md §2):
 * {@code POST {baseUrl}/v1/turn/keys/{keyId}/credentials/generate-ice-servers} with a bearer token and
 * {@code {"ttl":N}}. Non-blocking (JDK {@link HttpClient#sendAsync}); retries 5xx, timeouts and connect
 * errors with capped exponential backoff and jitter, never 4xx. Thread-safe.
 */
final class CloudflareTurnIssuer implements TurnCredentialIssuer {

    private static final Logger log = LoggerFactory.getLogger(CloudflareTurnIssuer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DEFAULT_BACKOFF_BASE_MILLIS = 200;
    private static final long MAX_BACKOFF_MILLIS = 2_000;

    private final HttpClient http;
    private final Clock clock;
    private final URI endpoint;
    private final String bearer;
    private final String keyId;
    private final long ttlSeconds;
    private final Duration timeout;
    private final int maxRetries;
    private final long backoffBaseMillis;

    CloudflareTurnIssuer(TurnConfig config, Clock clock, HttpClient http) {
        this(config, clock, http, DEFAULT_BACKOFF_BASE_MILLIS);
    }

    CloudflareTurnIssuer(TurnConfig config, Clock clock, HttpClient http, long backoffBaseMillis) {
        requireNonNull(config, "config");
        if (config.mode() != TurnConfig.Mode.CLOUDFLARE) {
            throw new IllegalArgumentException("mode: " + config.mode().configName() + " (expected: cloudflare)");
        }
        TurnConfig.Cloudflare cf = config.cloudflare();
        this.http = requireNonNull(http, "http");
        this.clock = requireNonNull(clock, "clock");
        String base = cf.baseUrl().toString().replaceAll("/+$", "");
        this.endpoint = URI.create(base + "/v1/turn/keys/" + cf.keyId() + "/credentials/generate-ice-servers");
        this.bearer = "Bearer " + cf.apiToken();
        this.keyId = cf.keyId();
        this.ttlSeconds = config.ttlSeconds();
        this.timeout = Duration.ofMillis(cf.timeoutMillis());
        this.maxRetries = cf.maxRetries();
        this.backoffBaseMillis = backoffBaseMillis;
    }

    @Override
    public CompletableFuture<TurnCredentials> issue(String tenantId, String userId) {
        try {
            RestSecretTurnIssuer.validateId("tenantId", tenantId);
            RestSecretTurnIssuer.validateId("userId", userId);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return attempt(0);
    }

    private CompletableFuture<TurnCredentials> attempt(int attempt) {
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Authorization", bearer)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"ttl\":" + ttlSeconds + "}"))
                .build();
        // expiry counted from before the request, so it is never later than Cloudflare's own
        Instant requestedAt = clock.instant();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .handle((response, error) -> outcome(response, error, requestedAt, attempt))
                .thenCompose(outcome -> {
                    if (outcome.credentials() != null) {
                        return CompletableFuture.completedFuture(outcome.credentials());
                    }
                    TurnIssueException failure = outcome.failure();
                    if (!outcome.retryable() || attempt >= maxRetries) {
                        return CompletableFuture.failedFuture(failure);
                    }
                    long delayMillis = backoffMillis(attempt);
                    log.warn("Cloudflare TURN mint failed ({}), retry {}/{} in {} ms",
                            failure.getMessage(), attempt + 1, maxRetries, delayMillis);
                    return CompletableFuture.supplyAsync(() -> null,
                                    CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS))
                            .thenCompose(ignored -> attempt(attempt + 1));
                });
    }

    private Outcome outcome(HttpResponse<String> response, Throwable error, Instant requestedAt, int attempt) {
        String tries = " (attempt " + (attempt + 1) + " of " + (maxRetries + 1) + ")";
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof HttpTimeoutException) {
                return Outcome.retry(new TurnIssueException("Cloudflare TURN key " + keyId + ": no response within "
                        + timeout.toMillis() + " ms" + tries, 0, cause));
            }
            if (cause instanceof ConnectException) {
                return Outcome.retry(new TurnIssueException("Cloudflare TURN key " + keyId + ": cannot connect to "
                        + endpoint.getHost() + tries, 0, cause));
            }
            if (cause instanceof IOException) {
                return Outcome.retry(new TurnIssueException("Cloudflare TURN key " + keyId + ": I/O error "
                        + cause.getClass().getSimpleName() + tries, 0, cause));
            }
            return Outcome.fail(new TurnIssueException("Cloudflare TURN key " + keyId + ": request failed: "
                    + cause.getClass().getSimpleName(), 0, cause));
        }
        int status = response.statusCode();
        if (status >= 500) {
            return Outcome.retry(new TurnIssueException("Cloudflare TURN key " + keyId + ": HTTP " + status + tries, status));
        }
        if (status < 200 || status >= 300) {
            String hint = status == 401 || status == 403 ? " (check the TURN key id and API token)" : "";
            return Outcome.fail(new TurnIssueException("Cloudflare TURN key " + keyId + ": HTTP " + status
                    + hint + ", not retried", status));
        }
        try {
            return Outcome.success(parse(response.body(), requestedAt));
        } catch (IOException | RuntimeException e) {
            // the body holds credentials: name the problem, never echo the body
            String problem = e instanceof JsonProcessingException ? "malformed JSON" : e.getMessage();
            return Outcome.fail(new TurnIssueException("Cloudflare TURN key " + keyId + ": unexpected response body ("
                    + problem + ")", status, e));
        }
    }

    /** Accepts {@code iceServers} as an array (generate-ice-servers) or a single object (older generate). */
    TurnCredentials parse(String body, Instant requestedAt) throws IOException {
        JsonNode root = JSON.readTree(body);
        JsonNode servers = root == null ? null : root.get("iceServers");
        if (servers == null || !(servers.isArray() || servers.isObject())) {
            throw new IOException("no iceServers");
        }
        List<JsonNode> entries = new ArrayList<>();
        if (servers.isArray()) {
            servers.forEach(entries::add);
        } else {
            entries.add(servers);
        }
        List<IceServer> iceServers = new ArrayList<>();
        String username = null;
        String credential = null;
        for (JsonNode entry : entries) {
            List<String> urls = new ArrayList<>();
            JsonNode urlsNode = entry.get("urls");
            if (urlsNode != null && urlsNode.isTextual()) {
                addUnlessPort53(urls, urlsNode.asText());
            } else if (urlsNode != null && urlsNode.isArray()) {
                urlsNode.forEach(url -> addUnlessPort53(urls, url.asText()));
            }
            if (urls.isEmpty()) {
                continue;
            }
            String entryUser = text(entry, "username");
            String entryCredential = text(entry, "credential");
            if (entryUser != null && entryCredential != null) {
                iceServers.add(new IceServer(urls, entryUser, entryCredential));
                if (username == null) {
                    username = entryUser;
                    credential = entryCredential;
                }
            } else {
                iceServers.add(IceServer.stun(urls));
            }
        }
        if (username == null) {
            throw new IOException("no iceServers entry with username and credential");
        }
        return new TurnCredentials(iceServers, username, credential, ttlSeconds,
                Instant.ofEpochSecond(requestedAt.getEpochSecond()).plusSeconds(ttlSeconds),
                TurnCredentials.SOURCE_CLOUDFLARE);
    }

    /** Browsers block port 53, so such URLs only cost an ICE candidate that never works. */
    private static void addUnlessPort53(List<String> urls, String url) {
        int query = url.indexOf('?');
        String authority = query < 0 ? url : url.substring(0, query);
        if (!authority.endsWith(":53")) {
            urls.add(url);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isTextual() ? null : value.asText();
    }

    private long backoffMillis(int attempt) {
        long exponential = Math.min(MAX_BACKOFF_MILLIS, backoffBaseMillis << Math.min(attempt, 20));
        // full jitter on the upper half, so concurrent mints do not retry in lockstep
        return exponential / 2 + ThreadLocalRandom.current().nextLong(exponential / 2 + 1);
    }

    @Override
    public String toString() {
        return "CloudflareTurnIssuer[keyId=" + keyId + ", endpoint=" + endpoint + ", ttlSeconds=" + ttlSeconds + "]";
    }

    private record Outcome(TurnCredentials credentials, TurnIssueException failure, boolean retryable) {

        static Outcome success(TurnCredentials credentials) {
            return new Outcome(credentials, null, false);
        }

        static Outcome retry(TurnIssueException failure) {
            return new Outcome(null, failure, true);
        }

        static Outcome fail(TurnIssueException failure) {
            return new Outcome(null, failure, false);
        }
    }
}
