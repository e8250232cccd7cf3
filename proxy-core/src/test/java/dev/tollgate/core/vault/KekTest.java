package dev.tollgate.core.vault;

import static dev.tollgate.core.vault.VaultFixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KekTest {

  private static final byte[] MATERIAL = bytes(0x10, 32);
  private static final String MATERIAL_BASE64 = Base64.getEncoder().encodeToString(MATERIAL);

  @Test
  void loadsFromBase64WithSurroundingWhitespace() {
    Kek kek = Kek.fromBase64("k1", "  " + MATERIAL_BASE64 + "\n");

    assertThat(kek.id()).isEqualTo("k1");
    assertThat(kek.secretKey().getEncoded()).isEqualTo(MATERIAL);
  }

  @Test
  void loadsFromAFileHoldingBase64(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("kek");
    Files.writeString(file, MATERIAL_BASE64 + "\n");

    assertThat(Kek.fromFile("k1", file).secretKey().getEncoded()).isEqualTo(MATERIAL);
  }

  @Test
  void missingFileIsNamedWithTheKeyId(@TempDir Path dir) {
    Path file = dir.resolve("absent");

    assertThatThrownBy(() -> Kek.fromFile("k1", file))
        .hasMessage("KEK 'k1': cannot read key file " + file + " (NoSuchFileException)");
  }

  @Test
  void wrongLengthNamesTheKeyIdButNotTheMaterial() {
    String shortKey = Base64.getEncoder().encodeToString(bytes(0x10, 16));

    assertThatThrownBy(() -> Kek.fromBase64("k1", shortKey))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("KEK 'k1': key is 16 bytes (expected: 32)")
        .hasNoCause();
  }

  @Test
  void invalidBase64NamesTheKeyIdButNotTheValue() {
    String bad = "secret-material-with-dashes-" + MATERIAL_BASE64;

    assertThatThrownBy(() -> Kek.fromBase64("k1", bad))
        .hasMessage("KEK 'k1': value is not valid base64")
        .hasNoCause();
  }

  @Test
  void rejectsAnIdOutsideTheAllowedCharacters() {
    assertThatThrownBy(() -> Kek.of("k 1", MATERIAL)).hasMessageStartingWith("KEK id: 'k 1' (expected:");
  }

  @Test
  void toStringShowsOnlyTheId() {
    Kek kek = Kek.of("k1", MATERIAL);

    assertThat(kek.toString()).isEqualTo("Kek[id=k1]");
    assertThat(KekRing.of(kek).toString()).doesNotContain(MATERIAL_BASE64);
  }

  @Test
  void ringWrapsWithTheFirstKekAndFindsAll() {
    Kek newest = VaultFixtures.kek("k2", 0x50);
    Kek older = VaultFixtures.kek("k1", 0x10);

    KekRing ring = new KekRing(List.of(newest, older));

    assertThat(ring.current()).isSameAs(newest);
    assertThat(ring.find("k1")).containsSame(older);
    assertThat(ring.find("k0")).isEmpty();
    assertThatThrownBy(() -> ring.require("k0"))
        .isInstanceOf(VaultException.class)
        .hasMessageStartingWith("KEK 'k0' is not configured");
  }

  @Test
  void ringRejectsADuplicateIdAndAnEmptyList() {
    assertThatThrownBy(() -> KekRing.of(VaultFixtures.kek("k1", 0), VaultFixtures.kek("k1", 1)))
        .hasMessage("keks: KEK id 'k1' appears twice");
    assertThatThrownBy(() -> new KekRing(List.of())).hasMessage("keks: [] (expected: at least one KEK)");
  }
}
