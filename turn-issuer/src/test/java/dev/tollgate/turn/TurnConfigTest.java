package dev.tollgate.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class TurnConfigTest {

    private static final List<TurnConfig.Secret> SECRETS = List.of(new TurnConfig.Secret("k1", "s1"));
    private static final List<String> URIS = List.of("turn:h:3478?transport=udp");

    @Test
    void rejectsNonPositiveTtl() {
        assertThatThrownBy(() -> TurnConfig.restSecret(0, URIS, SECRETS, null, true))
                .hasMessage("ttlSeconds: 0 (expected: > 0)");
    }

    @Test
    void restSecretModeNeedsSecretsAndUris() {
        assertThatThrownBy(() -> TurnConfig.restSecret(60, URIS, List.of(), null, true))
                .hasMessageStartingWith("secrets: []");
        assertThatThrownBy(() -> TurnConfig.restSecret(60, List.of(), SECRETS, null, true))
                .hasMessageStartingWith("uris: []");
        assertThatThrownBy(() -> TurnConfig.restSecret(60, List.of("http://h"), SECRETS, null, true))
                .hasMessage("uris: http://h (expected: stun:, stuns:, turn: or turns: URI)");
        assertThatThrownBy(() -> TurnConfig.restSecret(60, URIS,
                List.of(new TurnConfig.Secret("k1", "a"), new TurnConfig.Secret("k1", "b")), null, true))
                .hasMessage("secrets: duplicate id k1 (expected: unique ids)");
    }

    @Test
    void cloudflareModeCapsTtlAtFortyEightHours() {
        TurnConfig.Cloudflare cf = new TurnConfig.Cloudflare("key1", "token", null, 2000, 2);

        assertThat(TurnConfig.cloudflare(TurnConfig.CLOUDFLARE_MAX_TTL_SECONDS, cf, true).cloudflare().baseUrl())
                .isEqualTo(URI.create("https://rtc.live.cloudflare.com"));
        assertThatThrownBy(() -> TurnConfig.cloudflare(TurnConfig.CLOUDFLARE_MAX_TTL_SECONDS + 1, cf, true))
                .hasMessage("ttlSeconds: 172801 (expected: <= 172800 in cloudflare mode)");
        assertThatThrownBy(() -> new TurnConfig(TurnConfig.Mode.CLOUDFLARE, 60, null, null, null, null, true))
                .hasMessageStartingWith("cloudflare: absent");
    }

    @Test
    void modeParsesTheConfigNames() {
        assertThat(TurnConfig.Mode.fromConfigName("rest-secret")).isEqualTo(TurnConfig.Mode.REST_SECRET);
        assertThat(TurnConfig.Mode.fromConfigName("cloudflare")).isEqualTo(TurnConfig.Mode.CLOUDFLARE);
        assertThatThrownBy(() -> TurnConfig.Mode.fromConfigName("static"))
                .hasMessage("mode: static (expected: rest-secret or cloudflare)");
    }

    @Test
    void toStringHidesSecretsAndTokens() {
        TurnConfig rest = TurnConfig.restSecret(60, URIS, List.of(new TurnConfig.Secret("k1", "hunter2-secret")), "r", true);
        TurnConfig cf = TurnConfig.cloudflare(60, new TurnConfig.Cloudflare("key1", "tok-abc-123", null, 1000, 1), true);

        assertThat(rest.toString()).doesNotContain("hunter2-secret").contains("k1");
        assertThat(cf.toString()).doesNotContain("tok-abc-123").contains("key1");
    }
}
