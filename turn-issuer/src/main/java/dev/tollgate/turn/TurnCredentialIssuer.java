package dev.tollgate.turn;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Ticker;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Mints short-lived TURN credentials for one user of one tenant. Implementations are thread-safe and
 * never block the calling thread (an event loop may call {@link #issue}); failures complete the future
 * exceptionally with {@link TurnIssueException} or {@link IllegalArgumentException} for bad ids.
 */
public interface TurnCredentialIssuer {

    /**
     * Credentials for {@code userId} of {@code tenantId}. Ids are opaque, non-empty, at most
     * {@value RestSecretTurnIssuer#MAX_ID_LENGTH} characters, without ':' or whitespace and not all digits.
     */
    CompletableFuture<TurnCredentials> issue(String tenantId, String userId);

    /**
     * The issuer {@code config} asks for: {@link RestSecretTurnIssuer} or {@link CloudflareTurnIssuer},
     * wrapped in a {@link CachingTurnIssuer} when {@link TurnConfig#cacheEnabled()} and the ttl leaves room
     * for the 15 s safety margin. The server reads cache counters through {@code instanceof CachingTurnIssuer}.
     */
    static TurnCredentialIssuer create(TurnConfig config, Clock clock) {
        requireNonNull(config, "config");
        requireNonNull(clock, "clock");
        TurnCredentialIssuer issuer = switch (config.mode()) {
            case REST_SECRET -> new RestSecretTurnIssuer(config, clock);
            case CLOUDFLARE -> new CloudflareTurnIssuer(config, clock, HttpClient.newBuilder()
                    .connectTimeout(Duration.ofMillis(config.cloudflare().timeoutMillis()))
                    .build());
        };
        if (!config.cacheEnabled() || config.ttlSeconds() <= CachingTurnIssuer.SAFETY_MARGIN_SECONDS) {
            return issuer;
        }
        return new CachingTurnIssuer(issuer, Ticker.systemTicker(), CachingTurnIssuer.DEFAULT_MAX_ENTRIES);
    }
}
