/**
 * Monthly quotas and budgets: local leases taken atomically from a shared counter, so a hard cap is
 * never exceeded on one node or many, with few store writes.
 */
package dev.tollgate.core.quota;
