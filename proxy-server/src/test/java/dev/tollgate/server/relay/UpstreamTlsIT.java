package dev.tollgate.server.relay;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.server.testing.TestGateway;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Providers behind TLS: a provider whose certificate is signed by a private CA is reached once that
 * certificate is listed in {@code upstream.trustCertFile}, and refused (502, nothing sent) otherwise.
 * The certificate is a fresh self-signed one for {@code localhost}, made with {@code keytool}.
 */
class UpstreamTlsIT {

  private static final String PASSWORD = "changeit";
  private static final String BODY = "{\"id\":\"tls\",\"model\":\"tls-model\",\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":1}}";

  @TempDir
  static Path dir;
  static WireMockServer upstream;
  static TestGateway trusting;
  static TestGateway untrusting;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    Path keystore = dir.resolve("upstream.p12");
    Path pem = dir.resolve("upstream.pem");
    keytool("-genkeypair", "-alias", "upstream", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=localhost", "-ext", "san=dns:localhost,ip:127.0.0.1", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
    keytool("-exportcert", "-rfc", "-alias", "upstream", "-keystore", keystore.toString(),
        "-storetype", "PKCS12", "-storepass", PASSWORD, "-file", pem.toString());
    upstream = new WireMockServer(options().dynamicPort().dynamicHttpsPort()
        .keystorePath(keystore.toString()).keystoreType("PKCS12")
        .keystorePassword(PASSWORD).keyManagerPassword(PASSWORD));
    upstream.start();
    String provider = "providers:\n  openai:\n    baseUrl: https://localhost:" + upstream.httpsPort() + "\n";
    trusting = TestGateway.start(provider + "upstream:\n  trustCertFile: " + pem + "\n");
    untrusting = TestGateway.start(provider);
  }

  @AfterAll
  static void stop() throws Exception {
    trusting.close();
    untrusting.close();
    upstream.stop();
  }

  @BeforeEach
  void resetUpstream() {
    upstream.resetAll();
    upstream.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json").withBody(BODY)));
  }

  @Test
  void relaysOverTlsToAProviderWhoseCertificateIsInTheTrustFile() throws Exception {
    HttpResponse<String> response = chat(trusting);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(BODY);
    upstream.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
        .withHeader("Authorization", equalTo("Bearer " + TestGateway.OPENAI_KEY)));
    assertThat(GatewayMeters.awaitTokens(trusting, "openai", "tls-model", "input", 2)).isEqualTo(2);
    GatewayMeters.assertNothingInFlight(trusting);
  }

  @Test
  void refusesAProviderWhoseCertificateIsNotTrustedAndSendsItNothing() throws Exception {
    HttpResponse<String> response = chat(untrusting);

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(new ObjectMapper().readTree(response.body()).get("error").get("code").asText())
        .isEqualTo("upstream_unavailable");
    assertThat(response.headers().firstValue("x-request-id")).isPresent();
    upstream.verify(0, anyRequestedFor(anyUrl()));
    GatewayMeters.assertNothingInFlight(untrusting);
  }

  @Test
  void mintsRealtimeSessionsOverTheSameTrustAsTheRelay() throws Exception {
    upstream.stubFor(post("/v1/realtime/client_secrets").willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json")
        .withBody("{\"value\":\"ek_tls\",\"expires_at\":1900000000}")));

    HttpResponse<String> trusted = session(trusting);
    HttpResponse<String> untrusted = session(untrusting);

    assertThat(trusted.statusCode()).as(trusted.body()).isEqualTo(200);
    assertThat(new ObjectMapper().readTree(trusted.body()).get("client_secret").asText()).isEqualTo("ek_tls");
    assertThat(untrusted.statusCode()).isEqualTo(502);
    upstream.verify(1, postRequestedFor(urlEqualTo("/v1/realtime/client_secrets")));
  }

  private HttpResponse<String> session(TestGateway gateway) throws Exception {
    String key = gateway.createTenantWithKey("rt-" + System.nanoTime());
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/session"))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-realtime\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> chat(TestGateway gateway) throws Exception {
    String key = gateway.createTenantWithKey("acme");
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tls-model\",\"messages\":[]}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("keytool " + args[0] + " failed: " + output);
    }
  }
}
