package dev.tollgate.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.config.GatewayConfig;
import dev.tollgate.core.config.ProviderConfig;
import dev.tollgate.core.route.ProviderEndpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provider setting {@code http2}: off unless a provider turns it on, and carried to its endpoint. */
class ProviderHttp2ConfigTest {

  private static final Map<String, String> ENV = Map.of("TOLLGATE_ADMIN_TOKEN", "t");

  @TempDir
  Path dir;

  @Test
  void readsHttp2PerProviderAndLeavesItOffElsewhere() throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, "providers:\n  openai:\n    http2: true\n  groq:\n    baseUrl: http://127.0.0.1:7000\n");

    GatewayConfig config = new ConfigLoader(ENV::get).load(file);

    assertThat(config.provider("openai").http2()).isTrue();
    assertThat(config.provider("anthropic").http2()).isFalse();
    assertThat(config.provider("groq").http2()).isFalse();
    assertThat(ProviderEndpoint.of("openai", config.provider("openai")).http2()).isTrue();
    assertThat(ProviderEndpoint.of("groq", config.provider("groq")).http2()).isFalse();
  }

  @Test
  void theShippedDefaultsSpeakHttp1() throws Exception {
    GatewayConfig config = new ConfigLoader(ENV::get).load(null);

    assertThat(config.providers().values()).extracting(ProviderConfig::http2).containsOnly(false);
  }

  @Test
  void rejectsAnHttp2ValueThatIsNotABoolean() throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, "providers:\n  openai:\n    http2: sometimes\n");

    assertThatThrownBy(() -> new ConfigLoader(ENV::get).load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http2");
  }
}
