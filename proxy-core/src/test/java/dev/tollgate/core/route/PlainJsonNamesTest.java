package dev.tollgate.core.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A set of member names found by the bytes of a name read, and the end of a plain name's string. */
class PlainJsonNamesTest {

  private static final PlainJson.Names NAMES = new PlainJson.Names(
      "prompt_tokens", "output_tokens", "input_tokens", "type", "cached_tokens", "completion_tokens");

  @Test
  void findsEachNameByItsIndexAmongNamesOfTheSameLength() {
    assertThat(indexOf("prompt_tokens")).isEqualTo(0);
    assertThat(indexOf("output_tokens")).isEqualTo(1); // the same length as prompt_tokens and cached_tokens
    assertThat(indexOf("cached_tokens")).isEqualTo(4);
    assertThat(indexOf("input_tokens")).isEqualTo(2);
    assertThat(indexOf("type")).isEqualTo(3);
    assertThat(indexOf("completion_tokens")).isEqualTo(5);
  }

  @Test
  void aNameNotInTheSetIsNotFoundWhateverItsLength() {
    assertThat(indexOf("total_tokens")).as("the length of input_tokens").isEqualTo(-1);
    assertThat(indexOf("Prompt_tokens")).as("case counts").isEqualTo(-1);
    assertThat(indexOf("prompt_token")).isEqualTo(-1);
    assertThat(indexOf("")).isEqualTo(-1);
    assertThat(indexOf("typ")).isEqualTo(-1);
    assertThat(indexOf("completion_tokens_details")).as("longer than any").isEqualTo(-1);
  }

  @Test
  void aPlainNameEndsAtItsQuoteAndAnythingElseIsLeftToJackson() {
    String json = "{\"a_name_longer_than_a_word\":1,\"e\\u0301\":2,\"caf\u00e9\":3,\"tab\there\":4,\"x\":5}";
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    String bytes = new String(b, StandardCharsets.ISO_8859_1); // one char per byte: indexes into b
    int first = bytes.indexOf("a_name");
    assertThat(PlainJson.plainStringEnd(b, first, b.length)).isEqualTo(bytes.indexOf("\":1"));
    int x = bytes.indexOf("\"x\"") + 1;
    assertThat(PlainJson.plainStringEnd(b, x, b.length)).isEqualTo(x + 1);
    assertThat(PlainJson.plainStringEnd(b, bytes.indexOf("e\\u"), b.length)).as("an escape").isEqualTo(PlainJson.UNDECIDED);
    assertThat(PlainJson.plainStringEnd(b, bytes.indexOf("caf"), b.length)).as("beyond ASCII").isEqualTo(PlainJson.UNDECIDED);
    assertThat(PlainJson.plainStringEnd(b, bytes.indexOf("tab"), b.length)).as("a control character")
        .isEqualTo(PlainJson.UNDECIDED);
    assertThat(PlainJson.plainStringEnd(b, x, x + 1)).as("no quote before the end").isEqualTo(PlainJson.UNDECIDED);
  }

  private static int indexOf(String name) {
    byte[] b = ("{\"" + name + "\":0}").getBytes(StandardCharsets.US_ASCII);
    return NAMES.indexOf(b, 2, 2 + name.length());
  }
}
