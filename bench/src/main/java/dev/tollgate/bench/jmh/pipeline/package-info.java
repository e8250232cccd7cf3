/**
 * JMH benchmark of the whole client-side pipeline, one request in and its response out, without sockets,
 * and its harness floor: the same bytes through the same harness with a trivial pipeline.
 */
package dev.tollgate.bench.jmh.pipeline;
