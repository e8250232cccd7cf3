package dev.tollgate.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.config.AdminConfig;
import dev.tollgate.core.config.GatewayConfig;
import dev.tollgate.core.config.ProviderConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  private static final Map<String, String> ENV = Map.of("TOLLGATE_ADMIN_TOKEN", "t");

  @TempDir
  Path dir;

  @Test
  void loadsTheShippedDefaults() throws Exception {
    GatewayConfig config = new ConfigLoader(ENV::get).load(null);

    assertThat(config.server().port()).isEqualTo(8080);
    assertThat(config.server().host()).isEqualTo("0.0.0.0");
    assertThat(config.server().maxBodyBytes()).isEqualTo(8_388_608);
    assertThat(config.admin().token()).isEqualTo("t");
    assertThat(config.store().dataDir()).isEqualTo("./data");
    assertThat(config.upstream().defaultProvider()).isEqualTo("openai");
    assertThat(config.upstream().trustCertFile()).isNull();
    assertThat(config.providers()).containsOnlyKeys("openai", "anthropic");
    assertThat(config.provider("anthropic").auth()).isEqualTo("x-api-key");
    assertThat(config.provider("anthropic").dialect()).isEqualTo("anthropic");
    assertThat(config.provider("openai").apiKey()).isEmpty();
  }

  @Test
  void loadsTheShippedFileAsAnOperatorFile() throws Exception {
    Path shipped = Path.of("..", "config", "gateway.yaml");

    GatewayConfig config = new ConfigLoader(ENV::get).load(shipped);

    assertThat(config).isEqualTo(new ConfigLoader(ENV::get).load(null));
  }

  @Test
  void anOperatorFileOverridesOneNestedKeyAndKeepsTheOtherDefaults() throws Exception {
    Path file = write("server:\n  port: 9090\nproviders:\n  anthropic:\n    baseUrl: http://127.0.0.1:7000\n");

    GatewayConfig config = new ConfigLoader(ENV::get).load(file);

    assertThat(config.server().port()).isEqualTo(9090);
    assertThat(config.server().host()).isEqualTo("0.0.0.0");
    assertThat(config.server().maxHeaderBytes()).isEqualTo(32768);
    assertThat(config.provider("anthropic").baseUrl()).isEqualTo("http://127.0.0.1:7000");
    assertThat(config.provider("anthropic").auth()).isEqualTo("x-api-key");
    assertThat(config.provider("openai").baseUrl()).isEqualTo("https://api.openai.com");
  }

  @Test
  void addsAThirdProvider() throws Exception {
    Path file = write("providers:\n  groq:\n    baseUrl: https://api.groq.com/openai\n    apiKey: ${GROQ_API_KEY}\n");

    GatewayConfig config = new ConfigLoader(Map.of("GROQ_API_KEY", "gsk-1")::get).load(file);

    assertThat(config.providers()).containsOnlyKeys("openai", "anthropic", "groq");
    assertThat(config.provider("groq").apiKey()).isEqualTo("gsk-1");
    assertThat(config.provider("groq").auth()).isEqualTo("bearer");
  }

  @Test
  void failsOnAnUnsetVariableNamingTheFileAndTheKey() throws Exception {
    Path file = write("providers:\n  openai:\n    apiKey: ${MY_OPENAI_KEY}\n");

    assertThatThrownBy(() -> new ConfigLoader(ENV::get).load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("providers.openai.apiKey")
        .hasMessageContaining("MY_OPENAI_KEY");
  }

  @Test
  void usesTheDefaultOfAnUnsetVariableAndTheValueOfASetOne() throws Exception {
    Path file = write("server:\n  host: ${BIND_HOST:-127.0.0.2}\nstore:\n  dataDir: ${DATA:-/x}/tollgate\n");

    GatewayConfig defaulted = new ConfigLoader(ENV::get).load(file);
    GatewayConfig set = new ConfigLoader(Map.of("BIND_HOST", "10.0.0.1", "DATA", "/srv")::get).load(file);

    assertThat(defaulted.server().host()).isEqualTo("127.0.0.2");
    assertThat(defaulted.store().dataDir()).isEqualTo("/x/tollgate");
    assertThat(set.server().host()).isEqualTo("10.0.0.1");
    assertThat(set.store().dataDir()).isEqualTo("/srv/tollgate");
  }

  @Test
  void failsOnAnUnknownKeyNamingTheFileAndTheKeyPath() throws Exception {
    Path file = write("server:\n  bogus: 1\n");

    assertThatThrownBy(() -> new ConfigLoader(ENV::get).load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("server.bogus")
        .hasMessageContaining("unknown key");
  }

  @Test
  void failsOnAnUnknownTopLevelSection() throws Exception {
    Path file = write("servre:\n  port: 1\n");

    assertThatThrownBy(() -> new ConfigLoader(ENV::get).load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("servre");
  }

  @Test
  void failsOnAPortOutOfRangeNamingTheKey() throws Exception {
    assertFailsNaming("server:\n  port: 70000\n", "server.port", "70000");
  }

  @Test
  void failsOnANegativeTimeoutNamingTheKey() throws Exception {
    assertFailsNaming("upstream:\n  connectTimeoutMillis: -1\n", "upstream.connectTimeoutMillis", "-1");
  }

  @Test
  void failsOnABadProviderAuthStyleNamingTheProviderAndTheKey() throws Exception {
    assertFailsNaming("providers:\n  openai:\n    auth: basic\n", "providers.openai", "auth: basic");
  }

  @Test
  void failsOnADefaultProviderThatIsNotConfigured() throws Exception {
    assertFailsNaming("upstream:\n  defaultProvider: mistral\n", "upstream.defaultProvider", "mistral");
  }

  @Test
  void failsOnAValueOfTheWrongTypeNamingTheKey() throws Exception {
    assertFailsNaming("server:\n  maxBodyBytes: lots\n", "server.maxBodyBytes", "");
  }

  @Test
  void neverEchoesAProviderKeyInAValidationError() throws Exception {
    Path file = write("providers:\n  openai:\n    auth: basic\n    apiKey: ${OPENAI_API_KEY}\n");

    assertThatThrownBy(() -> new ConfigLoader(Map.of("OPENAI_API_KEY", "sk-live-SECRET")::get).load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageNotContaining("sk-live-SECRET");
  }

  @Test
  void failsOnAMissingFileNamingIt() {
    Path missing = dir.resolve("missing.yaml");

    assertThatThrownBy(() -> new ConfigLoader(ENV::get).load(missing))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void refusesAnEmptyOperatorFileAsLikelyHalfWritten() throws Exception {
    Path empty = write("# nothing to change\n");
    assertThatThrownBy(() -> new ConfigLoader(ENV::get).load(empty))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(empty.toString())
        .hasMessageContaining("empty");
  }

  @Test
  void providerAndAdminToStringNeverShowTheSecret() {
    ProviderConfig provider = new ProviderConfig("https://api.openai.com", "bearer", "sk-live-SECRET", "openai",
        null, null, null);
    AdminConfig admin = new AdminConfig("127.0.0.1", 8081, "admin-SECRET");

    assertThat(provider.toString()).doesNotContain("SECRET").contains("[redacted]");
    assertThat(admin.toString()).doesNotContain("SECRET").contains("[redacted]");
    assertThat(new AdminConfig("127.0.0.1", 8081, "").toString()).contains("unset");
  }

  private void assertFailsNaming(String yaml, String key, String value) throws IOException {
    Path file = write(yaml);
    assertThatThrownBy(() -> new ConfigLoader(ENV::get).load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining(key)
        .hasMessageContaining(value);
  }

  private Path write(String yaml) throws IOException {
    return Files.writeString(dir.resolve("gateway.yaml"), yaml);
  }
}
