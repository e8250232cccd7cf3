/** JMH benchmarks of the route stage's reading of request bodies. */
package dev.tollgate.bench.jmh.route;
