/**
 * The tamper-evident audit log: records chained by SHA-256 so an edited, deleted or reordered record is
 * detected, plus the filters that keep auth-failure floods and per-request secret use from filling it.
 */
package dev.tollgate.core.audit;
