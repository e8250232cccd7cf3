package dev.tollgate.core.bytes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LastTextTest {

  private final LastText memo = new LastText();

  @Test
  void theSameBytesGiveTheSameStringAndOtherBytesTheirOwn() {
    byte[] first = framed("gpt-4o-mini");
    String text = memo.decode(first, 2, first.length - 2);
    assertThat(text).isEqualTo("gpt-4o-mini");
    byte[] again = framed("gpt-4o-mini");
    assertThat(memo.decode(again, 2, again.length - 2)).isSameAs(text);

    byte[] sameLength = framed("gpt-4o-maxi");
    assertThat(memo.decode(sameLength, 2, sameLength.length - 2)).isEqualTo("gpt-4o-maxi");
    byte[] prefix = framed("gpt-4o");
    assertThat(memo.decode(prefix, 2, prefix.length - 2)).isEqualTo("gpt-4o");
    assertThat(memo.decode(again, 2, again.length - 2)).isEqualTo("gpt-4o-mini").isNotSameAs(text);
    assertThat(memo.decode(again, 2, 2)).isEmpty();
  }

  @Test
  void textBeyondAsciiIsDecodedAsUtf8AndLongTextIsNotKept() {
    byte[] accented = "modèle-ü".getBytes(StandardCharsets.UTF_8);
    String text = memo.decode(accented, 0, accented.length);
    assertThat(text).isEqualTo("modèle-ü");
    assertThat(memo.decode(accented.clone(), 0, accented.length)).isSameAs(text);

    byte[] longName = "m".repeat(LastText.MAX_BYTES + 1).getBytes(StandardCharsets.US_ASCII);
    String longText = memo.decode(longName, 0, longName.length);
    assertThat(longText).hasSize(LastText.MAX_BYTES + 1);
    assertThat(memo.decode(longName, 0, longName.length)).isEqualTo(longText).isNotSameAs(longText);
    assertThat(memo.decode(accented, 0, accented.length)).isSameAs(text);
  }

  private static byte[] framed(String text) {
    return ("\":" + text + "\",").getBytes(StandardCharsets.US_ASCII);
  }
}
