package dev.tollgate.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class RestSecretTurnIssuerTest {

    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");
    private static final List<String> URIS = List.of("stun:turn.example:3478", "turn:turn.example:3478?transport=udp",
            "turn:turn.example:3478?transport=tcp", "turns:turn.example:5349?transport=tcp");

    @Test
    void passwordMatchesTheProtocolsTestVector() {
        assertThat(RestSecretTurnIssuer.password("north-secret-123", "1735689600:alice"))
                .isEqualTo("vj2WDoK+zRJUXnWuyGRPzGmmrHk=");
        assertThat(RestSecretTurnIssuer.password("north-secret-123", "1735689600"))
                .isEqualTo("wmCPBSLmq3/mrHyeg8zqRfAQu78=");
    }

    @Test
    void usernameCarriesTheExpiryThenTenantThenUser() {
        RestSecretTurnIssuer issuer = issuerAt(NOW, 3600, secret("k1", "north-secret-123"));

        TurnCredentials credentials = issuer.issueNow("acme", "alice");

        assertThat(credentials.username()).isEqualTo((NOW.getEpochSecond() + 3600) + ":acme:alice");
        assertThat(credentials.expiresAt()).isEqualTo(NOW.plusSeconds(3600));
        assertThat(credentials.ttlSeconds()).isEqualTo(3600);
        assertThat(credentials.source()).isEqualTo("rest-secret");
        assertThat(credentials.credential())
                .isEqualTo(RestSecretTurnIssuer.password("north-secret-123", credentials.username()));
    }

    @Test
    void iceServersSplitStunFromTurnAndOnlyTurnCarriesCredentials() {
        TurnCredentials credentials = issuerAt(NOW, 60, secret("k1", "s1")).issueNow("acme", "alice");

        assertThat(credentials.iceServers()).containsExactly(
                IceServer.stun(List.of("stun:turn.example:3478")),
                new IceServer(URIS.subList(1, 4), credentials.username(), credentials.credential()));
    }

    @Test
    void newestSecretSignsAndVerificationAcceptsEveryConfiguredSecret() {
        TurnConfig.Secret newest = secret("2025-02", "new-secret");
        TurnConfig.Secret older = secret("2025-01", "old-secret");
        RestSecretTurnIssuer rotated = issuerAt(NOW, 600, newest, older);
        RestSecretTurnIssuer beforeRotation = issuerAt(NOW, 600, older);

        TurnCredentials fresh = rotated.issueNow("acme", "alice");
        TurnCredentials legacy = beforeRotation.issueNow("acme", "alice");

        assertThat(fresh.credential()).isEqualTo(RestSecretTurnIssuer.password("new-secret", fresh.username()));
        assertThat(rotated.verify(fresh.username(), fresh.credential())).isTrue();
        assertThat(rotated.verify(legacy.username(), legacy.credential())).isTrue();
        assertThat(beforeRotation.verify(fresh.username(), fresh.credential())).isFalse();
    }

    @Test
    void verificationRefusesExpiredUsernamesAndForgedPasswords() {
        TurnCredentials issued = issuerAt(NOW, 600, secret("k1", "s1")).issueNow("acme", "alice");
        RestSecretTurnIssuer later = issuerAt(NOW.plusSeconds(601), 600, secret("k1", "s1"));
        RestSecretTurnIssuer sameTime = issuerAt(NOW, 600, secret("k1", "s1"));

        assertThat(later.verify(issued.username(), issued.credential())).isFalse();
        assertThat(sameTime.verify(issued.username(), "Zm9yZ2Vk")).isFalse();
        assertThat(sameTime.verify(issued.username().replace("alice", "mallory"), issued.credential())).isFalse();
    }

    @Test
    void rejectsIdsCoturnWouldMisread() {
        RestSecretTurnIssuer issuer = issuerAt(NOW, 600, secret("k1", "s1"));

        assertThatThrownBy(() -> issuer.issueNow("acme", "")).hasMessage("userId: empty (expected: a non-empty opaque id)");
        assertThatThrownBy(() -> issuer.issueNow("ac:me", "alice")).hasMessageStartingWith("tenantId: contains ':'");
        assertThatThrownBy(() -> issuer.issueNow("acme", "12345")).hasMessageStartingWith("userId: 12345 is all digits");
        assertThatThrownBy(() -> issuer.issueNow("acme", "a b")).hasMessageStartingWith("userId: contains whitespace");
        assertThatThrownBy(() -> issuer.issueNow("x".repeat(129), "alice"))
                .hasMessage("tenantId: 129 characters (expected: <= 128)");
        assertThat(issuer.issue("acme", null)).isCompletedExceptionally();
    }

    @Test
    void toStringNeverPrintsTheCredentialOrSecret() {
        RestSecretTurnIssuer issuer = issuerAt(NOW, 600, secret("k1", "very-secret-value"));
        TurnCredentials credentials = issuer.issueNow("acme", "alice");

        assertThat(credentials.toString()).doesNotContain(credentials.credential()).contains("acme:alice");
        assertThat(issuer.toString()).doesNotContain("very-secret-value").contains("k1");
    }

    @Test
    void toJsonHasTheClientShape() {
        TurnCredentials credentials = issuerAt(NOW, 600, secret("k1", "s1")).issueNow("acme", "alice");

        assertThat(credentials.toJson()).isEqualTo("{\"iceServers\":[{\"urls\":[\"stun:turn.example:3478\"]},"
                + "{\"urls\":[\"turn:turn.example:3478?transport=udp\",\"turn:turn.example:3478?transport=tcp\","
                + "\"turns:turn.example:5349?transport=tcp\"],\"username\":\"1735690200:acme:alice\",\"credential\":\""
                + credentials.credential() + "\"}],\"username\":\"1735690200:acme:alice\",\"credential\":\""
                + credentials.credential() + "\",\"ttl\":600,\"expiresAt\":\"2025-01-01T00:10:00Z\",\"source\":\"rest-secret\"}");
    }

    private static RestSecretTurnIssuer issuerAt(Instant now, long ttlSeconds, TurnConfig.Secret... secrets) {
        TurnConfig config = TurnConfig.restSecret(ttlSeconds, URIS, List.of(secrets), "tollgate.test", false);
        return new RestSecretTurnIssuer(config, Clock.fixed(now, ZoneOffset.UTC));
    }

    private static TurnConfig.Secret secret(String id, String value) {
        return new TurnConfig.Secret(id, value);
    }
}
