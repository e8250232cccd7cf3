package dev.tollgate.turn;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * TURN REST API credentials as coturn's {@code use-auth-secret} checks them (PROTOCOLS.md §1): username
 * {@code <expiry-unix-seconds>:<tenant>:<user>}, password {@code base64(HMAC-SHA1(secret, username))}
 * signed with the newest configured secret. Pure computation, no I/O; safe to call from any thread.
 */
public final class RestSecretTurnIssuer implements TurnCredentialIssuer {

    /** Upper bound for a tenant or user id, keeping the STUN USERNAME (max 513 bytes) far from its limit. */
    public static final int MAX_ID_LENGTH = 128;

    private static final String HMAC_SHA1 = "HmacSHA1";
    private static final char SEPARATOR = ':';

    private final List<TurnConfig.Secret> secrets;
    private final List<IceServer> iceServerTemplate;
    private final List<String> turnUris;
    private final long ttlSeconds;
    private final Clock clock;

    public RestSecretTurnIssuer(TurnConfig config, Clock clock) {
        requireNonNull(config, "config");
        if (config.mode() != TurnConfig.Mode.REST_SECRET) {
            throw new IllegalArgumentException("mode: " + config.mode().configName() + " (expected: rest-secret)");
        }
        this.secrets = config.secrets();
        this.ttlSeconds = config.ttlSeconds();
        this.clock = requireNonNull(clock, "clock");
        List<String> stun = new ArrayList<>();
        List<String> turn = new ArrayList<>();
        for (String uri : config.uris()) {
            (uri.regionMatches(true, 0, "stun", 0, 4) ? stun : turn).add(uri);
        }
        this.iceServerTemplate = stun.isEmpty() ? List.of() : List.of(IceServer.stun(stun));
        this.turnUris = List.copyOf(turn);
    }

    /** {@code base64(HMAC-SHA1(key = secret, message = username))}, standard padded Base64. */
    public static String password(String secret, String username) {
        requireNonNull(secret, "secret");
        requireNonNull(username, "username");
        try {
            Mac mac = Mac.getInstance(HMAC_SHA1);
            mac.init(new SecretKeySpec(secret.getBytes(UTF_8), HMAC_SHA1));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(UTF_8)));
        } catch (GeneralSecurityException e) {
            // every JDK ships HmacSHA1; reaching this means a broken runtime
            throw new IllegalStateException("HmacSHA1 unavailable", e);
        }
    }

    @Override
    public CompletableFuture<TurnCredentials> issue(String tenantId, String userId) {
        try {
            return CompletableFuture.completedFuture(issueNow(tenantId, userId));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Synchronous form of {@link #issue}; throws {@link IllegalArgumentException} for a bad id. */
    public TurnCredentials issueNow(String tenantId, String userId) {
        validateId("tenantId", tenantId);
        validateId("userId", userId);
        Instant expiresAt = clock.instant().plusSeconds(ttlSeconds);
        String username = expiresAt.getEpochSecond() + ":" + tenantId + SEPARATOR + userId;
        String credential = password(secrets.get(0).secret(), username);
        List<IceServer> iceServers = new ArrayList<>(iceServerTemplate);
        if (!turnUris.isEmpty()) {
            iceServers.add(new IceServer(turnUris, username, credential));
        }
        return new TurnCredentials(iceServers, username, credential, ttlSeconds,
                Instant.ofEpochSecond(expiresAt.getEpochSecond()), TurnCredentials.SOURCE_REST_SECRET);
    }

    /**
     * Whether coturn would accept {@code username}/{@code password} now: the expiry (read as coturn does,
     * the part before the first ':' if all digits, otherwise the part after it) is not in the past, and
     * the password matches any configured secret, old or new.
     */
    public boolean verify(String username, String password) {
        if (username == null || password == null) {
            return false;
        }
        long expiry = coturnTimestamp(username);
        if (expiry < clock.instant().getEpochSecond()) {
            return false;
        }
        byte[] offered = password.getBytes(UTF_8);
        boolean match = false;
        for (TurnConfig.Secret secret : secrets) {
            // no early exit: the time taken does not reveal which secret matched
            match |= MessageDigest.isEqual(password(secret.secret(), username).getBytes(UTF_8), offered);
        }
        return match;
    }

    static void validateId(String name, String id) {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException(name + ": empty (expected: a non-empty opaque id)");
        }
        if (id.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException(name + ": " + id.length() + " characters (expected: <= " + MAX_ID_LENGTH + ")");
        }
        boolean allDigits = true;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c == SEPARATOR) {
                throw new IllegalArgumentException(name + ": contains ':' (expected: no ':', it separates the TURN username)");
            }
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                throw new IllegalArgumentException(name + ": contains whitespace or a control character (expected: none)");
            }
            allDigits &= c >= '0' && c <= '9';
        }
        if (allDigits) {
            // coturn takes an all-digit username part for the expiry timestamp
            throw new IllegalArgumentException(name + ": " + id + " is all digits (expected: an id with a non-digit, as coturn reads digits as the expiry)");
        }
    }

    /** coturn {@code get_rest_api_timestamp}: digits before the first separator, else the number after it. */
    private static long coturnTimestamp(String username) {
        int sep = username.indexOf(SEPARATOR);
        String digits;
        if (sep < 0) {
            digits = leadingDigits(username);
        } else if (sep > 0 && username.substring(0, sep).chars().allMatch(c -> c >= '0' && c <= '9')) {
            digits = username.substring(0, sep);
        } else {
            digits = leadingDigits(username.substring(sep + 1));
        }
        try {
            return digits.isEmpty() ? 0 : Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String leadingDigits(String s) {
        int end = 0;
        while (end < s.length() && s.charAt(end) >= '0' && s.charAt(end) <= '9') {
            end++;
        }
        return s.substring(0, end);
    }

    @Override
    public String toString() {
        return "RestSecretTurnIssuer[ttlSeconds=" + ttlSeconds + ", secrets=" + secrets + "]";
    }
}
