package dev.tollgate.core.ledger;

/**
 * Sums over a set of requests as the ledger keeps them. Immutable.
 *
 * @param errors requests answered with a status >= 400
 * @param costMicroUsd priced with the model table at the time the usage was absorbed
 * @param unpricedRequests requests whose provider or model the price table did not know (cost 0)
 */
public record UsageTotals(
    long requests,
    long errors,
    long billableUnits,
    long overageUnits,
    long inputTokens,
    long outputTokens,
    long cachedInputTokens,
    long cacheCreationInputTokens,
    long reasoningTokens,
    long audioInputTokens,
    long audioOutputTokens,
    long costMicroUsd,
    long unpricedRequests,
    long requestBytes,
    long responseBytes) {

  public static final UsageTotals ZERO = new UsageTotals(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  /** The sum of this and {@code other}. */
  public UsageTotals plus(UsageTotals other) {
    return new UsageTotals(
        requests + other.requests,
        errors + other.errors,
        billableUnits + other.billableUnits,
        overageUnits + other.overageUnits,
        inputTokens + other.inputTokens,
        outputTokens + other.outputTokens,
        cachedInputTokens + other.cachedInputTokens,
        cacheCreationInputTokens + other.cacheCreationInputTokens,
        reasoningTokens + other.reasoningTokens,
        audioInputTokens + other.audioInputTokens,
        audioOutputTokens + other.audioOutputTokens,
        costMicroUsd + other.costMicroUsd,
        unpricedRequests + other.unpricedRequests,
        requestBytes + other.requestBytes,
        responseBytes + other.responseBytes);
  }

  long[] toArray() {
    return new long[] {requests, errors, billableUnits, overageUnits, inputTokens, outputTokens,
        cachedInputTokens, cacheCreationInputTokens, reasoningTokens, audioInputTokens, audioOutputTokens,
        costMicroUsd, unpricedRequests, requestBytes, responseBytes};
  }

  static UsageTotals fromArray(long[] v) {
    return new UsageTotals(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12],
        v[13], v[14]);
  }
}
