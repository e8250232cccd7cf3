package dev.tollgate.turn;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs a real coturn {@code turnserver} on loopback with {@code use-auth-secret} and shows with
 * {@code turnutils_uclient} that {@link RestSecretTurnIssuer} credentials allocate a relay, while expired
 * or forged ones are refused. coturn must be installed ({@code apt-get install -y coturn}); without it
 * this class fails rather than skips.
 */
class CoturnIT {

    private static final String NEW_SECRET = "coturn-it-new-secret";
    private static final String OLD_SECRET = "coturn-it-old-secret";
    private static final String RELAYED = "Received relay addr";
    private static final String REFUSED = "Cannot complete Allocation";
    private static final long CLIENT_TIMEOUT_SECONDS = 30;

    @TempDir
    static Path dir;

    private static Process server;
    private static int port;
    private static String uclient;

    @BeforeAll
    static void startTurnserver() throws Exception {
        String turnserver = onPath("turnserver");
        uclient = onPath("turnutils_uclient");
        port = freeUdpAndTcpPort();
        int minRelayPort = 50_000 + ThreadLocalRandom.current().nextInt(10_000);
        List<String> command = List.of(turnserver, "-n",
                "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", "--listening-port=" + port,
                "--min-port=" + minRelayPort, "--max-port=" + (minRelayPort + 200),
                "--use-auth-secret", "--static-auth-secret=" + NEW_SECRET, "--static-auth-secret=" + OLD_SECRET,
                "--realm=tollgate.test", "--no-tls", "--no-dtls", "--no-cli", "--allow-loopback-peers",
                "--log-file=stdout", "--simple-log",
                "--pidfile=" + dir.resolve("turnserver.pid"), "--db=" + dir.resolve("turndb"));
        server = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("turnserver.log").toFile())
                .start();
        awaitStunBindingResponse();
    }

    @AfterAll
    static void stopTurnserver() throws InterruptedException {
        if (server == null) {
            return;
        }
        server.destroy();
        if (!server.waitFor(5, TimeUnit.SECONDS)) {
            server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void mintedCredentialsAllocateARelay() throws Exception {
        TurnCredentials credentials = issuer(Instant.now(), NEW_SECRET).issueNow("acme", "alice");

        ClientRun run = allocate(credentials.username(), credentials.credential());

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains(RELAYED + ": 127.0.0.1:");
    }

    @Test
    void credentialsSignedWithTheOlderRotatedSecretStillAllocate() throws Exception {
        TurnCredentials credentials = issuer(Instant.now(), OLD_SECRET).issueNow("acme", "bob");

        ClientRun run = allocate(credentials.username(), credentials.credential());

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains(RELAYED);
    }

    @Test
    void expiredUsernameIsRefused() throws Exception {
        // minted two hours ago with a one-hour ttl: correctly signed, but the expiry is in the past
        TurnCredentials credentials = issuer(Instant.now().minusSeconds(7200), NEW_SECRET).issueNow("acme", "alice");

        ClientRun run = allocate(credentials.username(), credentials.credential());

        assertThat(run.exitCode()).as(run.output()).isNotZero();
        assertThat(run.output()).contains(REFUSED).doesNotContain(RELAYED);
    }

    @Test
    void forgedPasswordIsRefused() throws Exception {
        TurnCredentials credentials = issuer(Instant.now(), "not-the-server-secret").issueNow("acme", "alice");

        ClientRun run = allocate(credentials.username(), credentials.credential());

        assertThat(run.exitCode()).as(run.output()).isNotZero();
        assertThat(run.output()).contains(REFUSED).doesNotContain(RELAYED);
    }

    private static RestSecretTurnIssuer issuer(Instant now, String secret) {
        TurnConfig config = TurnConfig.restSecret(3600,
                List.of("stun:127.0.0.1:" + port, "turn:127.0.0.1:" + port + "?transport=udp"),
                List.of(new TurnConfig.Secret("it", secret)), "tollgate.test", false);
        return new RestSecretTurnIssuer(config, Clock.fixed(now, ZoneOffset.UTC));
    }

    /** One UDP allocation, no data messages ({@code -n 0}), no RTCP pair ({@code -c}); verbose so success is visible. */
    private static ClientRun allocate(String username, String password) throws Exception {
        Path out = Files.createTempFile(dir, "uclient", ".log");
        Process client = new ProcessBuilder(uclient, "-v", "-n", "0", "-m", "1", "-c", "-e", "127.0.0.1",
                "-u", username, "-w", password, "-p", Integer.toString(port), "127.0.0.1")
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        if (!client.waitFor(CLIENT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            client.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            fail("turnutils_uclient did not exit within " + CLIENT_TIMEOUT_SECONDS + " s:\n" + Files.readString(out, UTF_8));
        }
        return new ClientRun(client.exitValue(), Files.readString(out, UTF_8));
    }

    /** Sends STUN Binding requests (RFC 5389) until coturn answers, proving the UDP listener is up. */
    private static void awaitStunBindingResponse() throws IOException, InterruptedException {
        byte[] request = ByteBuffer.allocate(20).putShort((short) 0x0001).putShort((short) 0)
                .putInt(0x2112A442).putLong(ThreadLocalRandom.current().nextLong()).putInt(7).array();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.setSoTimeout(200);
            while (System.nanoTime() < deadline) {
                if (!server.isAlive()) {
                    fail("turnserver exited with " + server.exitValue() + ":\n" + serverLog());
                }
                socket.send(new DatagramPacket(request, request.length, InetAddress.getLoopbackAddress(), port));
                DatagramPacket response = new DatagramPacket(new byte[1500], 1500);
                try {
                    socket.receive(response);
                    if (ByteBuffer.wrap(response.getData()).getShort() == 0x0101) {
                        return;
                    }
                } catch (SocketTimeoutException notYet) {
                    Thread.sleep(100);
                }
            }
        }
        fail("turnserver did not answer a STUN Binding request on 127.0.0.1:" + port + " within 20 s:\n" + serverLog());
    }

    private static String serverLog() throws IOException {
        return Files.readString(dir.resolve("turnserver.log"), UTF_8);
    }

    private static String onPath(String program) {
        List<String> searched = new ArrayList<>();
        for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(entry, program);
            searched.add(entry);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return fail(program + " not found on PATH " + searched
                + ": install coturn (apt-get install -y coturn); this test does not skip");
    }

    private static int freeUdpAndTcpPort() throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                    DatagramSocket udp = new DatagramSocket(tcp.getLocalPort(), InetAddress.getLoopbackAddress())) {
                return udp.getLocalPort();
            } catch (IOException udpTaken) {
                // the UDP twin of this TCP port is busy; try another
            }
        }
        throw new IOException("no port free for both TCP and UDP on loopback");
    }

    private record ClientRun(int exitCode, String output) {
    }
}
