package dev.tollgate.turn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CloudflareTurnIssuerTest {

    private static final String PATH = "/v1/turn/keys/key-123/credentials/generate-ice-servers";
    private static final String TOKEN = "cf-token-do-not-print";
    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");
    private static final String ARRAY_BODY = """
            {"iceServers":[
              {"urls":["stun:stun.cloudflare.com:3478","stun:stun.cloudflare.com:53"]},
              {"urls":["turn:turn.cloudflare.com:3478?transport=udp","turn:turn.cloudflare.com:53?transport=udp",
                       "turn:turn.cloudflare.com:3478?transport=tcp","turns:turn.cloudflare.com:5349?transport=tcp",
                       "turns:turn.cloudflare.com:443?transport=tcp"],
               "username":"u-hex","credential":"c-hex"}]}""";
    private static final String OBJECT_BODY = """
            {"iceServers":{"urls":["stun:stun.cloudflare.com:3478","turn:turn.cloudflare.com:3478?transport=udp",
               "turn:turn.cloudflare.com:53?transport=udp"],"username":"u-old","credential":"c-old"}}""";

    private WireMockServer wireMock;

    @BeforeEach
    void startWireMock() {
        wireMock = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        wireMock.start();
    }

    @AfterEach
    void stopWireMock() {
        wireMock.stop();
    }

    @Test
    void mintsFromTheArrayShapeAndDropsPort53() {
        wireMock.stubFor(post(urlEqualTo(PATH))
                .withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .withRequestBody(equalToJson("{\"ttl\":3600}"))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody(ARRAY_BODY)));

        TurnCredentials credentials = issuer(3600, 0, 2000).issue("acme", "alice").join();

        assertThat(credentials.iceServers()).containsExactly(
                IceServer.stun(List.of("stun:stun.cloudflare.com:3478")),
                new IceServer(List.of("turn:turn.cloudflare.com:3478?transport=udp",
                        "turn:turn.cloudflare.com:3478?transport=tcp", "turns:turn.cloudflare.com:5349?transport=tcp",
                        "turns:turn.cloudflare.com:443?transport=tcp"), "u-hex", "c-hex"));
        assertThat(credentials.username()).isEqualTo("u-hex");
        assertThat(credentials.credential()).isEqualTo("c-hex");
        assertThat(credentials.ttlSeconds()).isEqualTo(3600);
        assertThat(credentials.expiresAt()).isEqualTo(NOW.plusSeconds(3600));
        assertThat(credentials.source()).isEqualTo("cloudflare");
    }

    @Test
    void mintsFromTheOlderSingleObjectShape() {
        wireMock.stubFor(post(urlEqualTo(PATH))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody(OBJECT_BODY)));

        TurnCredentials credentials = issuer(600, 0, 2000).issue("acme", "alice").join();

        assertThat(credentials.iceServers()).containsExactly(new IceServer(
                List.of("stun:stun.cloudflare.com:3478", "turn:turn.cloudflare.com:3478?transport=udp"), "u-old", "c-old"));
        assertThat(credentials.username()).isEqualTo("u-old");
    }

    @Test
    void doesNotRetryAClientErrorAndNamesItWithoutTheToken() {
        wireMock.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(401)
                .withBody("{\"error\":\"bad token " + TOKEN + "\"}")));

        Throwable failure = unwrap(catchThrowable(() -> issuer(600, 3, 2000).issue("acme", "alice").join()));

        assertThat(failure).isInstanceOf(TurnIssueException.class)
                .hasMessage("Cloudflare TURN key key-123: HTTP 401 (check the TURN key id and API token), not retried");
        assertThat(((TurnIssueException) failure).httpStatus()).isEqualTo(401);
        assertThat(failure.getMessage()).doesNotContain(TOKEN);
        wireMock.verify(1, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void retriesServerErrorsThenSucceeds() {
        wireMock.stubFor(post(urlEqualTo(PATH)).inScenario("flaky").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("second"));
        wireMock.stubFor(post(urlEqualTo(PATH)).inScenario("flaky").whenScenarioStateIs("second")
                .willReturn(aResponse().withStatus(502)).willSetStateTo("healthy"));
        wireMock.stubFor(post(urlEqualTo(PATH)).inScenario("flaky").whenScenarioStateIs("healthy")
                .willReturn(aResponse().withStatus(201).withBody(ARRAY_BODY)));

        TurnCredentials credentials = issuer(600, 2, 2000).issue("acme", "alice").join();

        assertThat(credentials.username()).isEqualTo("u-hex");
        wireMock.verify(3, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void givesUpAfterMaxRetriesOnPersistentServerErrors() {
        wireMock.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(500)));

        Throwable failure = unwrap(catchThrowable(() -> issuer(600, 2, 2000).issue("acme", "alice").join()));

        assertThat(failure).isInstanceOf(TurnIssueException.class)
                .hasMessage("Cloudflare TURN key key-123: HTTP 500 (attempt 3 of 3)");
        wireMock.verify(3, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void timesOutASlowResponseAndRetriesIt() {
        wireMock.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(201).withBody(ARRAY_BODY)
                .withFixedDelay(3_000)));

        Throwable failure = unwrap(catchThrowable(() -> issuer(600, 1, 200).issue("acme", "alice").join()));

        assertThat(failure).isInstanceOf(TurnIssueException.class)
                .hasMessage("Cloudflare TURN key key-123: no response within 200 ms (attempt 2 of 2)");
        assertThat(((TurnIssueException) failure).httpStatus()).isZero();
        wireMock.verify(2, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void retriesAResetConnection() {
        wireMock.stubFor(post(urlEqualTo(PATH)).inScenario("reset").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("ok"));
        wireMock.stubFor(post(urlEqualTo(PATH)).inScenario("reset").whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(201).withBody(OBJECT_BODY)));

        assertThat(issuer(600, 1, 2000).issue("acme", "alice").join().username()).isEqualTo("u-old");
        wireMock.verify(2, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void retriesAConnectErrorThenNamesTheHost() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        TurnConfig config = TurnConfig.cloudflare(600, new TurnConfig.Cloudflare("key-123", TOKEN,
                URI.create("http://127.0.0.1:" + closedPort), 2000, 1), false);
        CloudflareTurnIssuer issuer = new CloudflareTurnIssuer(config, Clock.fixed(NOW, ZoneOffset.UTC),
                HttpClient.newHttpClient(), 10);

        Throwable failure = unwrap(catchThrowable(() -> issuer.issue("acme", "alice").join()));

        assertThat(failure).isInstanceOf(TurnIssueException.class)
                .hasMessage("Cloudflare TURN key key-123: cannot connect to 127.0.0.1 (attempt 2 of 2)");
    }

    @Test
    void reportsAMalformedBodyWithoutEchoingIt() {
        wireMock.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(201)
                .withBody("{\"iceServers\":[{\"urls\":[\"stun:x:3478\"]}], \"secret-ish\":\"c-hex\"}")));

        Throwable failure = unwrap(catchThrowable(() -> issuer(600, 2, 2000).issue("acme", "alice").join()));

        assertThat(failure).isInstanceOf(TurnIssueException.class)
                .hasMessageContaining("no iceServers entry with username and credential")
                .hasMessageNotContaining("c-hex");
        wireMock.verify(1, postRequestedFor(urlEqualTo(PATH)));
    }

    private CloudflareTurnIssuer issuer(long ttlSeconds, int maxRetries, long timeoutMillis) {
        TurnConfig config = TurnConfig.cloudflare(ttlSeconds, new TurnConfig.Cloudflare("key-123", TOKEN,
                URI.create(wireMock.baseUrl()), timeoutMillis, maxRetries), false);
        return new CloudflareTurnIssuer(config, Clock.fixed(NOW, ZoneOffset.UTC), HttpClient.newHttpClient(), 10);
    }

    private static Throwable unwrap(Throwable thrown) {
        return thrown instanceof CompletionException && thrown.getCause() != null ? thrown.getCause() : thrown;
    }
}
