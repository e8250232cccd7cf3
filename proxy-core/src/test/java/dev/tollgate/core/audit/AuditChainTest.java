package dev.tollgate.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AuditChainTest {

  private static final Instant T0 = Instant.parse("2026-01-02T03:04:05.123456789Z");

  private final InMemoryAuditStore store = new InMemoryAuditStore();
  private List<AuditRecord> records;

  @BeforeEach
  void appendOneHundredRecords() {
    AuditChain chain = new AuditChain(store, Clock.fixed(T0, ZoneOffset.UTC));
    for (int i = 0; i < 100; i++) {
      chain.append(event(i));
    }
    records = new ArrayList<>(store.range(1, 1000));
  }

  @Test
  void oneHundredAppendedRecordsVerify() {
    AuditVerification result = AuditChain.verify(records);

    assertThat(result.intact()).isTrue();
    assertThat(result.recordsChecked()).isEqualTo(100);
    assertThat(result.firstBrokenSeq()).isEmpty();
    assertThat(records.get(0).prevHash()).isEqualTo(AuditRecord.GENESIS);
    assertThat(records.get(1).prevHash()).isEqualTo(records.get(0).hash());
    assertThat(records.get(99).seq()).isEqualTo(100);
  }

  @Test
  void editedRecordIsDetectedAtItsSeq() {
    AuditRecord original = records.get(41);
    records.set(41, new AuditRecord(original.seq(), original.time(), "someone-else", original.tenantId(),
        original.action(), original.target(), original.sourceAddress(), original.outcome(),
        original.prevHash(), original.hash()));

    AuditVerification result = AuditChain.verify(records);

    assertThat(result.intact()).isFalse();
    assertThat(result.firstBrokenSeq()).hasValue(42);
    assertThat(result.reason()).contains("record edited");
    assertThat(result.recordsChecked()).isEqualTo(41);
  }

  @Test
  void editedRecordWhoseHashWasRecomputedIsDetectedAtTheNextSeq() {
    AuditRecord original = records.get(41);
    AuditRecord forged = new AuditRecord(original.seq(), original.time(), original.actor(), original.tenantId(),
        original.action(), original.target(), original.sourceAddress(), AuditOutcome.DENIED,
        original.prevHash(), AuditRecord.GENESIS);
    records.set(41, forged.withHash(forged.computeHash()));

    assertThat(AuditChain.verify(records).firstBrokenSeq()).hasValue(43);
  }

  @Test
  void editedTimeIsDetected() {
    AuditRecord original = records.get(9);
    records.set(9, new AuditRecord(original.seq(), original.time().plus(Duration.ofSeconds(1)),
        original.actor(), original.tenantId(), original.action(), original.target(), original.sourceAddress(),
        original.outcome(), original.prevHash(), original.hash()));

    assertThat(AuditChain.verify(records).firstBrokenSeq()).hasValue(10);
  }

  @Test
  void deletedRecordIsDetectedAtItsSeq() {
    records.remove(56); // seq 57

    AuditVerification result = AuditChain.verify(records);

    assertThat(result.firstBrokenSeq()).hasValue(57);
    assertThat(result.reason()).isEqualTo("expected seq 57, found 58 (record deleted or reordered)");
  }

  @Test
  void reorderedRecordsAreDetectedAtTheFirstMovedSeq() {
    Collections.swap(records, 19, 20); // seq 20 and 21

    assertThat(AuditChain.verify(records).firstBrokenSeq()).hasValue(20);
  }

  @Test
  void deletedAndRenumberedRecordIsDetectedByItsSuccessor() {
    records.remove(56);
    for (int i = 56; i < records.size(); i++) {
      AuditRecord r = records.get(i);
      records.set(i, new AuditRecord(r.seq() - 1, r.time(), r.actor(), r.tenantId(), r.action(), r.target(),
          r.sourceAddress(), r.outcome(), r.prevHash(), r.hash()));
    }

    assertThat(AuditChain.verify(records).firstBrokenSeq()).hasValue(57);
  }

  @Test
  void truncatedTailIsDetectedOnlyAgainstAKeptHead() {
    String head = records.get(99).hash();
    List<AuditRecord> truncated = records.subList(0, 95);

    assertThat(AuditChain.verify(truncated).intact()).isTrue();
    assertThat(AuditChain.verifyAgainstHead(truncated, head).firstBrokenSeq()).hasValue(96);
    assertThat(AuditChain.verifyAgainstHead(records, head).intact()).isTrue();
  }

  @Test
  void partOfTheLogVerifiesFromAKnownPredecessor() {
    List<AuditRecord> tail = records.subList(50, 100);

    assertThat(AuditChain.verify(tail).intact()).isFalse();
    assertThat(AuditChain.verify(tail, 51, records.get(49).hash()).intact()).isTrue();
  }

  @Test
  void timeIsKeptAtMillisecondPrecision() {
    assertThat(records.get(0).time()).isEqualTo(Instant.parse("2026-01-02T03:04:05.123Z"));
  }

  @Test
  void nullAndEmptyFieldsHashDifferently() {
    AuditRecord withNull = AuditChain.next(null, new AuditEvent("a", null, "x", null, null,
        AuditOutcome.SUCCESS), T0);
    AuditRecord withEmpty = AuditChain.next(null, new AuditEvent("a", "", "x", null, null,
        AuditOutcome.SUCCESS), T0);

    assertThat(withNull.hash()).isNotEqualTo(withEmpty.hash());
  }

  @Test
  void aNewChainOverAnExistingStoreContinuesIt() {
    AuditChain restarted = new AuditChain(store, Clock.fixed(T0, ZoneOffset.UTC));

    AuditRecord next = restarted.append(event(100));

    assertThat(next.seq()).isEqualTo(101);
    assertThat(next.prevHash()).isEqualTo(records.get(99).hash());
    assertThat(AuditChain.verify(store.range(1, 1000)).recordsChecked()).isEqualTo(101);
  }

  @Test
  void storeRejectsAGapInSeq() {
    AuditRecord stray = AuditChain.next(records.get(99), event(1), T0);
    AuditRecord skipping = AuditChain.next(stray, event(2), T0);

    assertThatThrownBy(() -> store.append(skipping)).hasMessage("seq: 102 (expected: 101)");
  }

  private static AuditEvent event(int i) {
    return new AuditEvent("admin-" + (i % 3), "tenant-" + (i % 5), "vault.secret.put", "openai-" + i,
        "10.0.0." + (i % 7), i % 10 == 0 ? AuditOutcome.FAILURE : AuditOutcome.SUCCESS);
  }
}
