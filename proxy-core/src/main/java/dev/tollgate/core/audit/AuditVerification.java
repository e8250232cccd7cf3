package dev.tollgate.core.audit;

import java.util.OptionalLong;

/**
 * The verdict of {@link AuditChain#verify}: intact, or the seq where the chain first breaks and why.
 *
 * @param recordsChecked records that verified before the break (all of them when intact)
 * @param firstBrokenSeq the seq of the first record that is edited, missing or out of place
 */
public record AuditVerification(boolean intact, long recordsChecked, OptionalLong firstBrokenSeq, String reason) {

  static AuditVerification ok(long checked) {
    return new AuditVerification(true, checked, OptionalLong.empty(), "intact");
  }

  static AuditVerification broken(long checked, long seq, String reason) {
    return new AuditVerification(false, checked, OptionalLong.of(seq), reason);
  }
}
