package dev.tollgate.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

  @Test
  void generatesKeysOfTgPrefixAndFortyBase62Characters() {
    String key = ApiKeys.generate();

    assertThat(key).startsWith("tg_").hasSize(3 + 40).matches("tg_[0-9A-Za-z]{40}");
    assertThat(ApiKeys.looksValid(key)).isTrue();
  }

  @Test
  void generatesDistinctKeys() {
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      keys.add(ApiKeys.generate());
    }
    assertThat(keys).hasSize(1000);
  }

  @Test
  void looksValidRejectsWrongShapes() {
    String key = ApiKeys.generate();

    assertThat(ApiKeys.looksValid(null)).isFalse();
    assertThat(ApiKeys.looksValid("")).isFalse();
    assertThat(ApiKeys.looksValid(key.substring(0, key.length() - 1))).isFalse();
    assertThat(ApiKeys.looksValid(key + "a")).isFalse();
    assertThat(ApiKeys.looksValid("sk_" + key.substring(3))).isFalse();
    assertThat(ApiKeys.looksValid(key.substring(0, 42) + "-")).isFalse();
    assertThat(ApiKeys.looksValid(key.substring(0, 42) + "é")).isFalse();
  }

  @Test
  void looksValidJudgesOnlyTheKeysPlaceInALongerText() {
    String key = ApiKeys.generate();
    String value = "Bearer " + key + "-";

    assertThat(ApiKeys.looksValid(value, 7, 7 + key.length())).isTrue();
    assertThat(ApiKeys.looksValid(value, 7, value.length())).isFalse();
    assertThat(ApiKeys.looksValid(value, 6, 6 + key.length())).isFalse();
  }

  @Test
  void hashIsStableLowercaseHexSha256() {
    // SHA-256("abc"), FIPS 180-2 test vector
    assertThat(ApiKeys.hash("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    String key = ApiKeys.generate();
    assertThat(ApiKeys.hash(key)).isEqualTo(ApiKeys.hash(key)).hasSize(64).matches("[0-9a-f]{64}");
    assertThat(ApiKeys.hash(key)).isNotEqualTo(ApiKeys.hash(ApiKeys.generate()));
  }

  @Test
  void lookupPrefixIsTheFirstEightCharactersAfterTg() {
    String key = "tg_ABCDEFGH" + "x".repeat(32);

    assertThat(ApiKeys.lookupPrefix(key)).isEqualTo("ABCDEFGH");
  }

  @Test
  void newIdsCarryTheirPrefixAndAreRandom() {
    String id = ApiKeys.newId("key_");

    assertThat(id).matches("key_[0-9A-Za-z]{16}");
    assertThat(ApiKeys.newId("key_")).isNotEqualTo(id);
  }
}
