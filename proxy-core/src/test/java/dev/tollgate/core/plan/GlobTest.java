package dev.tollgate.core.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class GlobTest {

  private static final String[] PIECES = {"openai", "anthropic", "gpt-4o", "claude-", "*", "**", "?", "/", "-", "o"};
  private static final String[] PROVIDERS = {"openai", "anthropic", "o", "a-b", ""};
  private static final String[] MODELS = {"gpt-4o", "gpt-4o-mini", "claude-3/haiku", "a/b/c", "", "*", "null"};

  @Test
  void aProviderAndModelMatchAsTheirJoinedNameWould() {
    Random random = new Random(2026_11_23L);
    int checked = 0;
    while (checked < 5_000) {
      StringBuilder pattern = new StringBuilder();
      for (int n = 1 + random.nextInt(5); n > 0; n--) {
        pattern.append(PIECES[random.nextInt(PIECES.length)]);
      }
      String glob = pattern.toString();
      try {
        Glob.validate(glob);
      } catch (IllegalArgumentException notAGlob) {
        continue;
      }
      String provider = PROVIDERS[random.nextInt(PROVIDERS.length)];
      String model = MODELS[random.nextInt(MODELS.length)];
      assertThat(Glob.matches(glob, provider, model)).as("%s against %s/%s", glob, provider, model)
          .isEqualTo(Glob.matches(glob, provider + "/" + model));
      checked++;
    }
  }

  @Test
  void matchesWhatThePlansSay() {
    assertThat(Glob.matches("openai/*", "openai", "gpt-4o")).isTrue();
    assertThat(Glob.matches("openai/*", "openai", "ft/gpt-4o")).isFalse();
    assertThat(Glob.matches("openai/**", "openai", "ft/gpt-4o")).isTrue();
    assertThat(Glob.matches("openai/gpt-4o?", "openai", "gpt-4o")).isFalse();
    assertThat(Glob.matches("anthropic/claude-*", "openai", "claude-3")).isFalse();
    assertThat(Glob.matches("*/gpt-4o", "groq", "gpt-4o")).isTrue();
  }
}
