package dev.tollgate.core.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
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
      String glob = randomGlob(random);
      String provider = PROVIDERS[random.nextInt(PROVIDERS.length)];
      String model = MODELS[random.nextInt(MODELS.length)];
      assertThat(Glob.matches(glob, provider, model)).as("%s against %s/%s", glob, provider, model)
          .isEqualTo(Glob.matches(glob, provider + "/" + model));
      checked++;
    }
  }

  @Test
  void matchesAsTheRegularExpressionItStandsFor() {
    Random random = new Random(2026_11_24L);
    String[] values = {"openai/gpt-4o", "openai/ft/gpt-4o", "openai", "openai/", "a/b/c", "gpt-4o-mini", "", "/",
        "anthropic/claude-3/haiku"};
    int checked = 0;
    while (checked < 5_000) {
      String glob = randomGlob(random);
      String value = values[random.nextInt(values.length)];
      assertThat(Glob.matches(glob, value)).as("%s against %s", glob, value)
          .isEqualTo(Pattern.matches(regex(glob), value));
      checked++;
    }
  }

  /** A valid glob of one to five random pieces. */
  private static String randomGlob(Random random) {
    while (true) {
      StringBuilder pattern = new StringBuilder();
      for (int n = 1 + random.nextInt(5); n > 0; n--) {
        pattern.append(PIECES[random.nextInt(PIECES.length)]);
      }
      try {
        return Glob.validate(pattern.toString());
      } catch (IllegalArgumentException notAGlob) {
        // draw again
      }
    }
  }

  /** The glob as a regular expression: '?' and '*' stay within a segment, '**' does not, "/**" at the end is optional. */
  private static String regex(String glob) {
    boolean optionalTail = glob.endsWith("/**");
    String body = optionalTail ? glob.substring(0, glob.length() - 3) : glob;
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c == '*' && i + 1 < body.length() && body.charAt(i + 1) == '*') {
        regex.append(".*");
        i++;
      } else if (c == '*') {
        regex.append("[^/]*");
      } else if (c == '?') {
        regex.append("[^/]");
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return optionalTail ? regex + "(/.*)?" : regex.toString();
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
