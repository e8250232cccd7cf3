/** Open- and closed-loop HTTP load generation with coordinated-omission-free latency, and the compare report. */
package dev.tollgate.bench.load;
