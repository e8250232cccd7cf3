package dev.tollgate.core.vault;

import static dev.tollgate.core.vault.VaultFixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class DekWrapperTest {

  private static final Kek K1 = VaultFixtures.kek("k1", 0x00);

  @Test
  void wrapsA256BitDekToFortyBytesAndBack() {
    byte[] dek = DekWrapper.newDek(new SecureRandom());

    WrappedDek wrapped = DekWrapper.wrap(K1, dek);

    assertThat(wrapped.kekId()).isEqualTo("k1");
    assertThat(wrapped.bytes()).hasSize(40);
    assertThat(DekWrapper.unwrap(K1, wrapped)).isEqualTo(dek);
  }

  @Test
  void wrongKekFailsClosedWithAClearError() {
    WrappedDek wrapped = DekWrapper.wrap(K1, bytes(0x20, 32));
    Kek impostor = VaultFixtures.kek("k1", 0x77); // same id, other material

    assertThatThrownBy(() -> DekWrapper.unwrap(impostor, wrapped))
        .isInstanceOf(VaultException.class)
        .hasMessage("DEK wrapped under KEK 'k1' cannot be unwrapped: wrong key or corrupted record");
  }

  @Test
  void corruptedWrappedDekFailsClosed() {
    byte[] bytes = DekWrapper.wrap(K1, bytes(0x20, 32)).bytes();
    bytes[39] ^= 0x40;

    assertThatThrownBy(() -> DekWrapper.unwrap(K1, new WrappedDek("k1", bytes)))
        .isInstanceOf(VaultException.class)
        .hasMessage("DEK wrapped under KEK 'k1' cannot be unwrapped: wrong key or corrupted record");
  }

  @Test
  void refusesToUnwrapWithAKekOfAnotherId() {
    WrappedDek wrapped = DekWrapper.wrap(K1, bytes(0x20, 32));

    assertThatThrownBy(() -> DekWrapper.unwrap(VaultFixtures.kek("k2", 0x00), wrapped))
        .hasMessage("kek: 'k2' (expected: 'k1', the wrapping KEK)");
  }

  @Test
  void freshDeksDiffer() {
    SecureRandom random = new SecureRandom();

    assertThat(DekWrapper.newDek(random)).hasSize(32).isNotEqualTo(DekWrapper.newDek(random));
  }
}
