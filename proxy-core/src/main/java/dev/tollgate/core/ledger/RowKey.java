package dev.tollgate.core.ledger;

import dev.tollgate.core.usage.UsageEvent;

/** The ledger's primary key for one event: missing identifiers become empty strings. */
record RowKey(String tenantId, String projectId, String keyId, String route, String provider, String model,
    long epochDay) {

  private static final long MILLIS_PER_DAY = 86_400_000L;

  static RowKey of(UsageEvent e) {
    return new RowKey(orEmpty(e.tenantId()), orEmpty(e.projectId()), orEmpty(e.keyId()), orEmpty(e.operation()),
        orEmpty(e.provider()), orEmpty(e.model()), Math.floorDiv(e.epochMillis(), MILLIS_PER_DAY));
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }
}
