package dev.tollgate.core.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.usage.TokenUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ModelPriceTableTest {

  private static final long MILLION = 1_000_000;

  private final ModelPriceTable table = ModelPriceTable.load(locateConfig().resolve("models.yaml"));

  @Test
  void pricesAMillionSonnetFourInputAndOutputTokensAtEighteenDollars() {
    long micros = table.cost("anthropic", "claude-sonnet-4-20250514", TokenUsage.of(MILLION, MILLION));

    assertThat(micros).isEqualTo(18 * MILLION);
  }

  @Test
  void pricesAnthropicInputClassesSeparately() {
    // 1M uncached + 1M cache hits + 1M cache writes + 1M output: 3 + 0.30 + 3.75 + 15
    TokenUsage usage = new TokenUsage(MILLION, MILLION, MILLION, MILLION, 0, 0, 0);

    assertThat(table.cost("anthropic", "claude-sonnet-4", usage)).isEqualTo(22_050_000);
  }

  @Test
  void pricesOpenAiCachedTokensAsPartOfInput() {
    // 1M input of which 400k cached: 600k x 2.50 + 400k x 1.25 = 2.00 USD; 100k output x 10 = 1.00 USD
    TokenUsage usage = new TokenUsage(MILLION, 100_000, 400_000, 0, 0, 0, 0);

    assertThat(table.cost("openai", "gpt-4o", usage)).isEqualTo(3 * MILLION);
  }

  @Test
  void pricesRealtimeAudioAtAudioRates() {
    // 1k input of which 800 audio; 500 output of which 400 audio
    TokenUsage usage = new TokenUsage(1_000, 500, 0, 0, 0, 800, 400);

    // 200 x 5 + 800 x 40 + 100 x 20 + 400 x 80 micro-USD (1 USD per 1M tokens = 1 micro-USD per token)
    assertThat(table.cost("openai", "gpt-4o-realtime-preview-2024-12-17", usage)).isEqualTo(67_000);
  }

  @Test
  void matchesDatedNamesToTheLongestListedModel() {
    assertThat(table.price("openai", "gpt-4o-2024-08-06").model()).isEqualTo("gpt-4o");
    assertThat(table.price("openai", "gpt-4o-mini-2024-07-18").model()).isEqualTo("gpt-4o-mini");
    assertThat(table.price("openai", "gpt-4.1-mini-2025-04-14").model()).isEqualTo("gpt-4.1-mini");
    assertThat(table.price("anthropic", "claude-opus-4-1-20250805").model()).isEqualTo("claude-opus-4-1");
    assertThat(table.price("anthropic", "claude-sonnet-4-0").model()).isEqualTo("claude-sonnet-4");
    assertThat(table.price("openai", "gpt-4omni")).isNull();
    assertThat(table.price("mistral", "large")).isNull();
    assertThat(table.cost("openai", "unknown-model", TokenUsage.of(1, 1))).isEqualTo(ModelPriceTable.UNKNOWN);
  }

  @Test
  void pricesSmallCallsInMicroUsdRoundedHalfUp() {
    // 1,000 gpt-4o-mini input tokens at 0.15 USD/1M = 150 micro-USD; 10 tokens = 1.5 -> 2
    assertThat(table.cost("openai", "gpt-4o-mini", TokenUsage.of(1_000, 0))).isEqualTo(150);
    assertThat(table.cost("openai", "gpt-4o-mini", TokenUsage.of(10, 0))).isEqualTo(2);
    assertThat(table.cost("openai", "text-embedding-3-small", TokenUsage.of(MILLION, 0))).isEqualTo(20_000);
  }

  @Test
  void reservesTheWorstCaseAtTheDearestRates() {
    // Sonnet 4: prompt at the cache-write rate (3.75) + max tokens at 15
    assertThat(table.worstCaseCost("anthropic", "claude-sonnet-4", MILLION, MILLION)).isEqualTo(18_750_000);
    assertThat(table.worstCaseCost("openai", "gpt-4o", 1_000, 1_000)).isEqualTo(12_500);
  }

  @Test
  void rejectsAnUnknownKeyAndANegativePriceNamingFileAndKey() {
    assertThatThrownBy(() -> ModelPriceTable.parse("config/models.yaml",
        "providers:\n  openai:\n    inputAccounting: inclusive\n    models:\n      gpt-4o: {input: 1, output: 2, cached: 1}\n"))
        .hasMessageStartingWith("config/models.yaml: providers.openai.models.gpt-4o.cached: unknown key");
    assertThatThrownBy(() -> ModelPriceTable.parse("config/models.yaml",
        "providers:\n  openai:\n    inputAccounting: inclusive\n    models:\n      gpt-4o: {input: -1, output: 2}\n"))
        .hasMessage("config/models.yaml: providers.openai.models.gpt-4o.input: -1 (expected: a price >= 0)");
  }

  private static Path locateConfig() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("config/models.yaml"))) {
        return dir.resolve("config");
      }
    }
    throw new IllegalStateException("config/models.yaml not found");
  }
}
