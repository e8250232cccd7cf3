/** Provider token prices: the cost of a request in micro-USD, for usage events, budgets and margins. */
package dev.tollgate.core.pricing;
