package dev.tollgate.turn;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

class TurnCredentialIssuerTest {

    private static final List<String> URIS = List.of("turn:h:3478?transport=udp");
    private static final List<TurnConfig.Secret> SECRETS = List.of(new TurnConfig.Secret("k1", "s1"));

    @Test
    void createWrapsTheIssuerInACacheWhenEnabled() {
        TurnCredentialIssuer issuer = TurnCredentialIssuer.create(
                TurnConfig.restSecret(3600, URIS, SECRETS, null, true), Clock.systemUTC());

        assertThat(issuer).isInstanceOf(CachingTurnIssuer.class);
        assertThat(issuer.issue("acme", "alice").join().username()).endsWith(":acme:alice");
    }

    @Test
    void createSkipsTheCacheWhenDisabledOrTheTtlLeavesNoMargin() {
        assertThat(TurnCredentialIssuer.create(TurnConfig.restSecret(3600, URIS, SECRETS, null, false), Clock.systemUTC()))
                .isInstanceOf(RestSecretTurnIssuer.class);
        assertThat(TurnCredentialIssuer.create(TurnConfig.restSecret(15, URIS, SECRETS, null, true), Clock.systemUTC()))
                .isInstanceOf(RestSecretTurnIssuer.class);
    }

    @Test
    void createPicksCloudflareInCloudflareMode() {
        TurnConfig config = TurnConfig.cloudflare(600, new TurnConfig.Cloudflare("key1", "token", null, 1000, 1), false);

        assertThat(TurnCredentialIssuer.create(config, Clock.systemUTC())).isInstanceOf(CloudflareTurnIssuer.class);
    }
}
