package dev.tollgate.core.plan;

/**
 * A plan catalogue or a per-tenant override that fails validation. The message names the file and
 * the key path, e.g. {@code config/plans/x.yaml: plans[2].includedUnits: -5 (expected: >= 0)}.
 */
public final class PlanConfigException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  PlanConfigException(String source, String keyPath, String detail) {
    super(source + ": " + keyPath + ": " + detail);
  }

  PlanConfigException(String source, String detail, Throwable cause) {
    super(source + ": " + detail, cause);
  }
}
