package dev.tollgate.core.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The scanner's eight-bytes-at-a-time searches against a byte-by-byte reference, over every start and
 * end of arrays full of the bytes that trip such tricks: the sought bytes themselves, bytes one above
 * them (a borrow), zeros, and UTF-8 bytes with the high bit set.
 */
class UsageScannerSearchTest {

  private static final byte[] TRICKY = {'"', '\\', '\n', '{', '}', '#', ']', '|', 0x0b, 0x01, 0x00, (byte) 0x80,
      (byte) 0xa2, (byte) 0xdc, (byte) 0xff, 'a', ' ', ':', 'u', 'm', 't', 'l', '"', '"'};

  @Test
  void eachSearchFindsTheFirstByteItLooksForOrTheEnd() {
    Random random = new Random(20261123);
    for (int round = 0; round < 300; round++) {
      byte[] bytes = new byte[random.nextInt(40)];
      // mostly plain letters, as in text, with a tricky byte now and then
      for (int k = 0; k < bytes.length; k++) {
        bytes[k] = random.nextInt(4) == 0 ? TRICKY[random.nextInt(TRICKY.length)] : (byte) ('a' + random.nextInt(26));
      }
      String shown = hex(bytes);
      for (int from = 0; from <= bytes.length; from++) {
        for (int to = from; to <= bytes.length; to++) {
          assertThat(UsageScanner.indexOfStringEnd(bytes, from, to))
              .as("string end in %s [%d, %d)", shown, from, to).isEqualTo(reference(bytes, from, to, "\"\\\n"));
          assertThat(UsageScanner.indexOfUsageStructure(bytes, from, to))
              .as("usage structure in %s [%d, %d)", shown, from, to).isEqualTo(reference(bytes, from, to, "\"{}\n"));
          for (boolean model : new boolean[] {true, false}) {
            assertThat(UsageScanner.indexOfKeyStart(bytes, from, to, model))
                .as("key start (model %s) in %s [%d, %d)", model, shown, from, to)
                .isEqualTo(keyStartReference(bytes, from, to, model));
          }
        }
      }
    }
  }

  @Test
  void findsAByteInEveryPositionOfAWordAndPastTheLastWhole() {
    for (int length = 1; length <= 24; length++) {
      for (int at = 0; at < length; at++) {
        byte[] bytes = "x".repeat(length).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        bytes[at] = '"';
        assertThat(UsageScanner.indexOfStringEnd(bytes, 0, length)).isEqualTo(at);
        assertThat(UsageScanner.indexOfUsageStructure(bytes, 0, length)).isEqualTo(at);
        if (at + 1 < length) {
          bytes[at + 1] = 'u';
          assertThat(UsageScanner.indexOfKeyStart(bytes, 0, length, false)).isEqualTo(at);
        }
      }
    }
  }

  /** A quote followed by u (or m), or a quote that is the last byte. */
  private static int keyStartReference(byte[] bytes, int from, int to, boolean model) {
    for (int i = from; i < to; i++) {
      if (bytes[i] == '"' && (i + 1 == to || bytes[i + 1] == 'u' || model && bytes[i + 1] == 'm')) {
        return i;
      }
    }
    return to;
  }

  private static int reference(byte[] bytes, int from, int to, String sought) {
    for (int i = from; i < to; i++) {
      if (sought.indexOf(bytes[i]) >= 0) {
        return i;
      }
    }
    return to;
  }

  private static String hex(byte[] bytes) {
    return java.util.HexFormat.of().formatHex(bytes);
  }
}
