/** Guards observability: the first stage sees every outcome and counts it; Prometheus meters. */
package dev.tollgate.core.metrics;
