package dev.tollgate.turn;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * TURN credentials handed to one realtime client, in the one shape both sources share:
 * {@code {iceServers, username, credential, ttl, expiresAt, source}} (PROTOCOLS.md §1–2).
 * Immutable and thread-safe; {@link #toString()} never prints the credential.
 *
 * @param iceServers browser-ready entries for {@code new RTCPeerConnection({iceServers})}
 * @param username the TURN username (for rest-secret: {@code <expiry-unix-seconds>:<tenant>:<user>})
 * @param credential the TURN password; a secret for the lifetime of the credentials
 * @param ttlSeconds seconds the credentials remain valid from the moment they were handed out
 * @param expiresAt the instant after which the TURN server refuses new allocations with them
 * @param source {@link #SOURCE_REST_SECRET} or {@link #SOURCE_CLOUDFLARE}
 */
@JsonPropertyOrder({"iceServers", "username", "credential", "ttl", "expiresAt", "source"})
public record TurnCredentials(
        List<IceServer> iceServers,
        String username,
        String credential,
        @JsonProperty("ttl") long ttlSeconds,
        @JsonSerialize(using = ToStringSerializer.class) Instant expiresAt,
        String source) {

    public static final String SOURCE_REST_SECRET = "rest-secret";
    public static final String SOURCE_CLOUDFLARE = "cloudflare";

    private static final ObjectMapper JSON = new ObjectMapper();

    public TurnCredentials {
        iceServers = List.copyOf(requireNonNull(iceServers, "iceServers"));
        requireNonNull(username, "username");
        requireNonNull(credential, "credential");
        requireNonNull(expiresAt, "expiresAt");
        requireNonNull(source, "source");
        if (ttlSeconds <= 0) {
            throw new IllegalArgumentException("ttlSeconds: " + ttlSeconds + " (expected: > 0)");
        }
    }

    /** The same credentials with a shorter remaining lifetime, as served from a cache. */
    public TurnCredentials withTtlSeconds(long remainingTtlSeconds) {
        return new TurnCredentials(iceServers, username, credential, remainingTtlSeconds, expiresAt, source);
    }

    /** The JSON body for a client: {@code {"iceServers":[...],"username",...,"ttl":N,"expiresAt":"ISO-8601","source"}}. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "TurnCredentials[iceServers=" + iceServers + ", username=" + username + ", credential=***, ttlSeconds="
                + ttlSeconds + ", expiresAt=" + expiresAt + ", source=" + source + "]";
    }
}
