package dev.tollgate.turn;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One browser-ready {@code RTCIceServer} entry ({@code {urls, username, credential}}); STUN entries carry
 * no username or credential. Immutable; {@link #toString()} never prints the credential.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IceServer(List<String> urls, String username, String credential) {

    public IceServer {
        urls = List.copyOf(requireNonNull(urls, "urls"));
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("urls: [] (expected: at least one URL)");
        }
        if ((username == null) != (credential == null)) {
            throw new IllegalArgumentException("username and credential: only one set (expected: both or neither)");
        }
    }

    /** A STUN-only entry without credentials. */
    public static IceServer stun(List<String> urls) {
        return new IceServer(urls, null, null);
    }

    @Override
    public String toString() {
        return "IceServer[urls=" + urls + ", username=" + username
                + ", credential=" + (credential == null ? "null" : "***") + "]";
    }
}
