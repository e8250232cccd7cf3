package dev.tollgate.turn;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * TURN settings: which source mints credentials, their lifetime, the URIs handed to clients and the
 * signing secrets. Validated on construction; immutable and safe to share across threads and config
 * reloads. {@link #toString()} never prints a secret or token.
 *
 * @param mode {@link Mode#REST_SECRET} (coturn {@code use-auth-secret}) or {@link Mode#CLOUDFLARE}
 * @param ttlSeconds credential lifetime; {@value #DEFAULT_TTL_SECONDS} (24 h, the TURN REST draft's
 *     recommendation) is the documented default; at most {@value #CLOUDFLARE_MAX_TTL_SECONDS} in cloudflare mode
 * @param uris RFC 7065 STUN/TURN URIs handed to clients in rest-secret mode, e.g. {@code stun:host:3478},
 *     {@code turn:host:3478?transport=udp}, {@code turn:host:3478?transport=tcp},
 *     {@code turns:host:5349?transport=tcp}; ignored in cloudflare mode (Cloudflare returns its own)
 * @param secrets rest-secret signing secrets, newest first: the first one signs new credentials, and
 *     every one listed is accepted by {@link RestSecretTurnIssuer#verify}. To rotate, prepend the new
 *     secret here and to coturn ({@code static-auth-secret} may repeat), wait one ttl, then drop the old one
 * @param realm the coturn {@code realm}; informational here (the REST password does not depend on it), may be null
 * @param cloudflare Cloudflare TURN key settings; required in cloudflare mode, else may be null
 * @param cacheEnabled whether credentials are reused per (tenant, user) until {@code ttl − 15 s}
 */
public record TurnConfig(
        Mode mode,
        long ttlSeconds,
        List<String> uris,
        List<Secret> secrets,
        String realm,
        Cloudflare cloudflare,
        boolean cacheEnabled) {

    /** Documented default lifetime: 24 h. */
    public static final long DEFAULT_TTL_SECONDS = 86_400;
    /** Cloudflare refuses a ttl above 48 h. */
    public static final long CLOUDFLARE_MAX_TTL_SECONDS = 172_800;

    public TurnConfig {
        requireNonNull(mode, "mode");
        if (ttlSeconds <= 0) {
            throw new IllegalArgumentException("ttlSeconds: " + ttlSeconds + " (expected: > 0)");
        }
        uris = uris == null ? List.of() : List.copyOf(uris);
        secrets = secrets == null ? List.of() : List.copyOf(secrets);
        for (String uri : uris) {
            validateUri(uri);
        }
        Set<String> ids = new HashSet<>();
        for (Secret secret : secrets) {
            requireNonNull(secret, "secrets[]");
            if (!ids.add(secret.id())) {
                throw new IllegalArgumentException("secrets: duplicate id " + secret.id() + " (expected: unique ids)");
            }
        }
        if (realm != null && realm.isBlank()) {
            throw new IllegalArgumentException("realm: blank (expected: a realm name or absent)");
        }
        switch (mode) {
            case REST_SECRET -> {
                if (secrets.isEmpty()) {
                    throw new IllegalArgumentException("secrets: [] (expected: at least one secret in rest-secret mode)");
                }
                if (uris.isEmpty()) {
                    throw new IllegalArgumentException("uris: [] (expected: at least one stun:/turn:/turns: URI in rest-secret mode)");
                }
            }
            case CLOUDFLARE -> {
                if (cloudflare == null) {
                    throw new IllegalArgumentException("cloudflare: absent (expected: keyId and apiToken in cloudflare mode)");
                }
                if (ttlSeconds > CLOUDFLARE_MAX_TTL_SECONDS) {
                    throw new IllegalArgumentException("ttlSeconds: " + ttlSeconds
                            + " (expected: <= " + CLOUDFLARE_MAX_TTL_SECONDS + " in cloudflare mode)");
                }
            }
        }
    }

    /** rest-secret mode: coturn-compatible credentials signed with the first of {@code secrets}. */
    public static TurnConfig restSecret(long ttlSeconds, List<String> uris, List<Secret> secrets, String realm,
            boolean cacheEnabled) {
        return new TurnConfig(Mode.REST_SECRET, ttlSeconds, uris, secrets, realm, null, cacheEnabled);
    }

    /** cloudflare mode: credentials minted by the Cloudflare Realtime TURN key API. */
    public static TurnConfig cloudflare(long ttlSeconds, Cloudflare cloudflare, boolean cacheEnabled) {
        return new TurnConfig(Mode.CLOUDFLARE, ttlSeconds, List.of(), List.of(), null, cloudflare, cacheEnabled);
    }

    private static void validateUri(String uri) {
        requireNonNull(uri, "uris[]");
        String lower = uri.toLowerCase(Locale.ROOT);
        if (!(lower.startsWith("stun:") || lower.startsWith("stuns:")
                || lower.startsWith("turn:") || lower.startsWith("turns:"))) {
            throw new IllegalArgumentException("uris: " + uri + " (expected: stun:, stuns:, turn: or turns: URI)");
        }
        if (uri.indexOf(':') == uri.length() - 1 || uri.contains(" ")) {
            throw new IllegalArgumentException("uris: " + uri + " (expected: scheme:host[:port][?transport=udp|tcp])");
        }
    }

    /** How credentials are minted. */
    public enum Mode {
        REST_SECRET("rest-secret"),
        CLOUDFLARE("cloudflare");

        private final String configName;

        Mode(String configName) {
            this.configName = configName;
        }

        /** The name used in {@code gateway.yaml}: {@code rest-secret} or {@code cloudflare}. */
        @JsonValue
        public String configName() {
            return configName;
        }

        /** Parses {@code rest-secret} or {@code cloudflare}. */
        @JsonCreator
        public static Mode fromConfigName(String name) {
            for (Mode mode : values()) {
                if (mode.configName.equals(name)) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("mode: " + name + " (expected: rest-secret or cloudflare)");
        }
    }

    /**
     * One coturn {@code static-auth-secret}, named by {@code id} so logs and rotation can refer to it
     * without printing it.
     */
    public record Secret(String id, String secret) {

        public Secret {
            requireNonNull(id, "id");
            requireNonNull(secret, "secret");
            if (id.isBlank()) {
                throw new IllegalArgumentException("secrets[].id: blank (expected: a name)");
            }
            if (secret.isEmpty()) {
                throw new IllegalArgumentException("secrets[" + id + "].secret: empty (expected: a non-empty secret)");
            }
        }

        @Override
        public String toString() {
            return "Secret[id=" + id + ", secret=***]";
        }
    }

    /**
     * A Cloudflare Realtime TURN key. {@code baseUrl} null means {@value #DEFAULT_BASE_URL}.
     *
     * @param keyId the TURN key id (appears in the request path, not secret)
     * @param apiToken the TURN key API token, sent as a bearer token; never logged
     * @param baseUrl the API base, overridable for tests
     * @param timeoutMillis per-attempt request timeout
     * @param maxRetries retries after the first attempt on 5xx, timeout or connect error (never on 4xx)
     */
    public record Cloudflare(String keyId, String apiToken, URI baseUrl, long timeoutMillis, int maxRetries) {

        public static final String DEFAULT_BASE_URL = "https://rtc.live.cloudflare.com";

        public Cloudflare {
            requireNonNull(keyId, "keyId");
            requireNonNull(apiToken, "apiToken");
            if (keyId.isBlank() || !keyId.matches("[A-Za-z0-9_-]+")) {
                throw new IllegalArgumentException("cloudflare.keyId: " + keyId + " (expected: [A-Za-z0-9_-]+)");
            }
            if (apiToken.isBlank()) {
                throw new IllegalArgumentException("cloudflare.apiToken: blank (expected: the TURN key API token)");
            }
            baseUrl = baseUrl == null ? URI.create(DEFAULT_BASE_URL) : baseUrl;
            String scheme = baseUrl.getScheme();
            if (!"https".equals(scheme) && !"http".equals(scheme)) {
                throw new IllegalArgumentException("cloudflare.baseUrl: " + baseUrl + " (expected: http(s) URL)");
            }
            if (timeoutMillis <= 0) {
                throw new IllegalArgumentException("cloudflare.timeoutMillis: " + timeoutMillis + " (expected: > 0)");
            }
            if (maxRetries < 0 || maxRetries > 10) {
                throw new IllegalArgumentException("cloudflare.maxRetries: " + maxRetries + " (expected: 0..10)");
            }
        }

        @Override
        public String toString() {
            return "Cloudflare[keyId=" + keyId + ", apiToken=***, baseUrl=" + baseUrl
                    + ", timeoutMillis=" + timeoutMillis + ", maxRetries=" + maxRetries + "]";
        }
    }
}
