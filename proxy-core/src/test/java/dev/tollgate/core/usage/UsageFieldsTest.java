package dev.tollgate.core.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The plain reader of usage objects reads what Jackson reads and leaves it anything unusual. */
class UsageFieldsTest {

  private static final List<String> PLAIN = List.of(
      "{\"prompt_tokens\":1,\"note\":\"caf\u00e9 \u2014 \uD83D\uDE00\"}",
      "{\"prompt_tokens\":19,\"completion_tokens\":10,\"total_tokens\":29,"
          + "\"prompt_tokens_details\":{\"cached_tokens\":3,\"audio_tokens\":2},"
          + "\"completion_tokens_details\":{\"reasoning_tokens\":4,\"audio_tokens\":1,"
          + "\"accepted_prediction_tokens\":0}}",
      "{ \"input_tokens\" : 2095, \"cache_creation_input_tokens\":100,\"cache_read_input_tokens\":50,"
          + "\"output_tokens\":503,\"service_tier\":\"standard\",\"server_tool_use\":{\"web_search_requests\":0}}",
      "{\"type\":\"tokens\",\"input_tokens\":5,\"input_token_details\":{\"text_tokens\":5}}",
      "{\"prompt_tokens\":-3,\"completion_tokens\":2.5,\"input_tokens\":\"x\\u0041\",\"output_tokens\":null,"
          + "\"prompt_tokens_details\":7,\"completion_tokens_details\":null,\"input_tokens_details\":[1,{}],"
          + "\"output_tokens_details\":{\"reasoning_tokens\":{\"a\":[true,false]}}}",
      "{\"prompt_tokens\":5,\"prompt_tokens\":-0,\"input_token_details\":{\"cached_tokens\":1},"
          + "\"input_token_details\":{\"audio_tokens\":2}}",
      "{}");

  private static final List<String> LEFT_TO_JACKSON = List.of(
      "{\"prompt_tokens\":1234567890123456789}", "{\"prompt_tokens\":99999999999999999999}",
      "{\"prompt\\u005ftokens\":4}",
      "{\"prompt_tokens\":01}", "{\"prompt_tokens\":1,}", "{\"a\":\"\\q\"}", "{\"a\":[1 2]}");

  @Test
  void readsPlainUsageObjectsAsJacksonDoes() {
    for (String usage : PLAIN) {
      UsageFields plain = new UsageFields();
      byte[] bytes = usage.getBytes(StandardCharsets.UTF_8);
      assertThat(plain.read(bytes, 0, bytes.length)).as(usage).isTrue();
      assertThat(new UsageFields().readPlain(bytes, 0, bytes.length)).as(usage).isTrue();
      UsageFields jackson = new UsageFields();
      assertThat(jackson.readWithJackson(bytes, 0, bytes.length)).as(usage).isTrue();
      assertThat(describe(plain)).as(usage).isEqualTo(describe(jackson));
    }
  }

  @Test
  void leavesUnusualObjectsToJacksonWithTheSameOutcome() {
    for (String usage : LEFT_TO_JACKSON) {
      byte[] bytes = usage.getBytes(StandardCharsets.UTF_8);
      assertThat(new UsageFields().readPlain(bytes, 0, bytes.length)).as(usage).isFalse();
      UsageFields read = new UsageFields();
      UsageFields jackson = new UsageFields();
      boolean valid = jackson.readWithJackson(bytes, 0, bytes.length);
      assertThat(read.read(bytes, 0, bytes.length)).as(usage).isEqualTo(valid);
      if (valid) {
        assertThat(describe(read)).as(usage).isEqualTo(describe(jackson));
      }
    }
  }

  private static String describe(UsageFields f) {
    return List.of(f.promptTokens, f.completionTokens, f.inputTokens, f.outputTokens,
        f.cacheReadInputTokens, f.cacheCreationInputTokens) + " type=" + f.hasType
        + describe(f.promptTokensDetails) + describe(f.completionTokensDetails)
        + describe(f.inputTokensDetails) + describe(f.outputTokensDetails)
        + describe(f.inputTokenDetails) + describe(f.outputTokenDetails);
  }

  private static String describe(UsageFields.Details d) {
    return " {" + d.present + " " + d.cachedTokens + " " + d.audioTokens + " " + d.reasoningTokens + "}";
  }
}
