package dev.tollgate.core.ledger;

import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Writes {@link UsageLedger} query results as CSV per RFC 4180: a header row, CRLF line ends, and a
 * field quoted when it holds a comma, a double quote, CR or LF, with its quotes doubled.
 */
public final class UsageCsv {

  private static final String CRLF = "\r\n";

  private UsageCsv() {
  }

  /** Writes a header ({@code tenant_id}, the grouped dimensions, the metrics) and one line per row. */
  public static void write(Appendable out, Set<UsageDimension> groupBy, List<UsageRow> rows) throws IOException {
    Set<UsageDimension> dims = groupBy.isEmpty() ? EnumSet.noneOf(UsageDimension.class) : EnumSet.copyOf(groupBy);
    out.append("tenant_id");
    for (UsageDimension d : dims) {
      out.append(',').append(d.column());
    }
    for (String m : UsageLedger.METRIC_COLUMNS) {
      out.append(',').append(m);
    }
    out.append(CRLF);
    for (UsageRow row : rows) {
      out.append(field(row.tenantId()));
      for (UsageDimension d : dims) {
        out.append(',').append(field(row.value(d)));
      }
      for (long v : row.totals().toArray()) {
        out.append(',').append(Long.toString(v));
      }
      out.append(CRLF);
    }
  }

  /** One field: as is, or in double quotes with inner quotes doubled when it needs quoting. Null is empty. */
  public static String field(String value) {
    if (value == null) {
      return "";
    }
    boolean quote = false;
    for (int i = 0; i < value.length() && !quote; i++) {
      char ch = value.charAt(i);
      quote = ch == ',' || ch == '"' || ch == '\r' || ch == '\n';
    }
    if (!quote) {
      return value;
    }
    return '"' + value.replace("\"", "\"\"") + '"';
  }
}
