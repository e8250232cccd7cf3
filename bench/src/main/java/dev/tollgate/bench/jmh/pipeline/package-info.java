/** JMH benchmark of the whole client-side pipeline, one request in and its response out, without sockets. */
package dev.tollgate.bench.jmh.pipeline;
