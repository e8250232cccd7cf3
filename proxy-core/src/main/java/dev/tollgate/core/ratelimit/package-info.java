/** Request-rate limits per tenant and per API key (GCRA), with the data for {@code x-ratelimit-*} headers. */
package dev.tollgate.core.ratelimit;
