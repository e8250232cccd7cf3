/** JMH benchmark of the usage tap's scanner over provider responses, and the bodies it scans. */
package dev.tollgate.bench.jmh.usage;
