/**
 * The usage ledger: billable usage journaled with group commit so a crash loses nothing answered, then
 * aggregated in memory and written behind to the embedded store in one transaction per flush.
 */
package dev.tollgate.core.ledger;
