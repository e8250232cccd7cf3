package dev.tollgate.core.ledger;

/**
 * A column a {@link UsageLedger} query can group by, with its ledger column. The tenant is always part
 * of a query and so is not listed.
 */
public enum UsageDimension {
  PROJECT("project_id"),
  KEY("key_id"),
  ROUTE("route"),
  PROVIDER("provider"),
  MODEL("model"),
  DAY("day");

  private final String column;

  UsageDimension(String column) {
    this.column = column;
  }

  /** The ledger table's column, also the CSV header name. */
  public String column() {
    return column;
  }
}
