/** Scale checks: many concurrent long SSE streams through a running gateway, and what they cost it. */
package dev.tollgate.bench.scale;
