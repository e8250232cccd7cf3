package dev.tollgate.core.ledger;

import java.time.LocalDate;

/**
 * One group of a {@link UsageLedger} query: the tenant, the grouped dimensions (null when the query did
 * not group by that dimension) and the group's totals.
 */
public record UsageRow(
    String tenantId,
    String projectId,
    String keyId,
    String route,
    String provider,
    String model,
    LocalDate day,
    UsageTotals totals) {

  /** The value of {@code dimension} in this row, as text ({@code day} in ISO form), or null. */
  public String value(UsageDimension dimension) {
    return switch (dimension) {
      case PROJECT -> projectId;
      case KEY -> keyId;
      case ROUTE -> route;
      case PROVIDER -> provider;
      case MODEL -> model;
      case DAY -> day == null ? null : day.toString();
    };
  }
}
