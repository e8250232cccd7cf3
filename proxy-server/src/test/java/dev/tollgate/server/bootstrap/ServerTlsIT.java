package dev.tollgate.server.bootstrap;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.server.testing.TestGateway;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data plane serves HTTPS from a PEM certificate and a PKCS#8 PEM key made at test time with keytool. */
class ServerTlsIT {

  private static final char[] STORE_PASSWORD = "changeit".toCharArray();

  @TempDir
  static Path certDir;
  static WireMockServer upstream;
  static TestGateway gateway;
  static KeyStore serverStore;
  static String key;

  @BeforeAll
  static void start() throws Exception {
    Path p12 = certDir.resolve("server.p12");
    keytool("-genkeypair", "-alias", "gateway", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", p12.toString(),
        "-storepass", new String(STORE_PASSWORD), "-keypass", new String(STORE_PASSWORD));
    serverStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(p12)) {
      serverStore.load(in, STORE_PASSWORD);
    }
    PrivateKey privateKey = (PrivateKey) serverStore.getKey("gateway", STORE_PASSWORD);
    assertThat(privateKey.getFormat()).isEqualTo("PKCS#8");
    Path keyFile = certDir.resolve("server.key");
    Path certFile = certDir.resolve("server.crt");
    Files.writeString(keyFile, pem("PRIVATE KEY", privateKey.getEncoded()));
    Files.writeString(certFile, pem("CERTIFICATE", serverStore.getCertificate("gateway").getEncoded()));

    upstream = new WireMockServer(options().dynamicPort());
    upstream.start();
    gateway = TestGateway.start("server:\n  tls:\n    enabled: true\n    certFile: " + certFile
        + "\n    keyFile: " + keyFile + "\n"
        + "providers:\n  openai:\n    baseUrl: " + upstream.baseUrl() + "\n");
    key = gateway.createTenantWithKey("acme");
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    upstream.stop();
  }

  @Test
  void servesChatCompletionsOverHttpsToAClientTrustingTheCertificate() throws Exception {
    upstream.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json")
        .withBody("{\"id\":\"c\",\"model\":\"gpt-4o\",\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}")));

    HttpResponse<String> response = chat(HttpClient.newBuilder().sslContext(trusting(serverStore)).build());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"prompt_tokens\":5");
    upstream.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
        .withHeader("Authorization", equalTo("Bearer " + TestGateway.OPENAI_KEY)));
  }

  @Test
  void clientThatDoesNotTrustTheCertificateFailsTheHandshake() {
    assertThatThrownBy(() -> chat(HttpClient.newHttpClient())).isInstanceOf(SSLHandshakeException.class);
  }

  private static HttpResponse<String> chat(HttpClient http) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + gateway.server().port() + "/v1/chat/completions"))
            .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o\",\"messages\":[]}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static SSLContext trusting(KeyStore serverStore) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    Certificate certificate = serverStore.getCertificate("gateway");
    trust.setCertificateEntry("gateway", certificate);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static void keytool(String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    System.arraycopy(args, 0, command, 1, args.length);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
  }
}
