package dev.tollgate.core.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HeaderValueCacheTest {

  private static String read(String line, String value) {
    byte[] bytes = line.getBytes(StandardCharsets.ISO_8859_1);
    return HeaderValueCache.value(bytes, line.indexOf(value), value.length());
  }

  @Test
  void aRepeatedValueIsTheSameString() {
    String first = read("content-type: application/json\r\n", "application/json");
    String again = read("x: 1\r\nContent-Type: application/json\r\n", "application/json");
    assertThat(again).isSameAs(first).isEqualTo("application/json");
  }

  @Test
  void twoValuesThatShareASlotPairAndComeInTurnBothStay() {
    // the benchmark's provider answer: its request id and processing time hash to the same pair
    String id = read("x-request-id: req_4f1c0e2b9a7d\r\n", "req_4f1c0e2b9a7d");
    String ms = read("openai-processing-ms: 231\r\n", "231");
    for (int i = 0; i < 3; i++) {
      assertThat(read("x-request-id: req_4f1c0e2b9a7d\r\n", "req_4f1c0e2b9a7d")).isSameAs(id);
      assertThat(read("openai-processing-ms: 231\r\n", "231")).isSameAs(ms);
    }
  }

  @Test
  void everyValueReadIsItsOwnBytesWhateverTheTableHolds() {
    // far more values than slots: collisions replace each other, and each answer is still its bytes
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 3000; i++) {
        String value = "v-" + i + (i % 2 == 0 ? "A" : "a");
        assertThat(read("x: " + value + "\r\n", value)).isEqualTo(value);
      }
    }
  }

  @Test
  void aLongValueIsMadeEveryTimeAndLatin1IsOneCharPerByte() {
    String value = "x".repeat(100);
    assertThat(read("x: " + value, value)).isEqualTo(value).isNotSameAs(read("x: " + value, value));
    String latin1 = read("x: caf\u00e9", "caf\u00e9");
    assertThat(latin1).isEqualTo("caf\u00e9");
    assertThat(read("y: caf\u00e9", "caf\u00e9")).isSameAs(latin1);
    assertThat(read("x: ", "")).isEmpty();
  }
}
