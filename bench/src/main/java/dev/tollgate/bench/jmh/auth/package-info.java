/** JMH benchmark of API key verification on the auth stage's hot path (a cache hit). */
package dev.tollgate.bench.jmh.auth;
