/** JMH benchmarks of the upstream stage's collaborators: provider key resolution over the vault. */
package dev.tollgate.bench.jmh.upstream;
