/** JMH benchmarks of the admission stages' collaborators: rate limiter, quota ledger, in-flight counter. */
package dev.tollgate.bench.jmh.quota;
