/** In-flight request and stream limits per tenant and per key, with slots released exactly once. */
package dev.tollgate.core.concurrency;
