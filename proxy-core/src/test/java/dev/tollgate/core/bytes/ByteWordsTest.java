package dev.tollgate.core.bytes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Every byte value at every place of a word, alone and after an earlier match: the first mark is the first match. */
class ByteWordsTest {

  @Test
  void marksTheFirstControlOrNonAsciiByteAndNothingInPlainText() {
    for (int place = 0; place < Long.BYTES; place++) {
      for (int value = 0; value < 256; value++) {
        byte[] bytes = plainWordWith(place, value);
        long marks = ByteWords.controlOrNonAscii(ByteWords.word(bytes, 0));
        if (value < 0x20 || value >= 0x80) {
          assertThat(ByteWords.firstMarked(0, marks)).as("0x%02x at %d", value, place).isEqualTo(place);
        } else {
          assertThat(marks).as("0x%02x at %d", value, place).isZero();
        }
      }
    }
  }

  @Test
  void marksTheFirstByteEqualToTheOneSoughtWhateverFollows() {
    long quotes = ByteWords.repeated('"');
    for (int place = 0; place < Long.BYTES; place++) {
      for (int value = 0; value < 256; value++) {
        byte[] bytes = plainWordWith(place, value);
        long marks = ByteWords.matches(ByteWords.word(bytes, 0), quotes);
        if (value == '"') {
          assertThat(ByteWords.firstMarked(0, marks)).as("at %d", place).isEqualTo(place);
        } else {
          assertThat(marks).as("0x%02x at %d", value, place).isZero();
        }
        // a match before it stays the first mark, whatever borrows it causes above
        bytes[0] = '"';
        assertThat(ByteWords.firstMarked(7, ByteWords.matches(ByteWords.word(bytes, 0), quotes))).isEqualTo(7);
      }
    }
  }

  /** Eight bytes of plain text with {@code value} at {@code place}. */
  private static byte[] plainWordWith(int place, int value) {
    byte[] bytes = new byte[Long.BYTES];
    Arrays.fill(bytes, (byte) 'a');
    bytes[place] = (byte) value;
    return bytes;
  }
}
