/**
 * The optional exact-match response cache: complete 200 responses kept per tenant, project, route and
 * canonical request body, bounded in bytes and expired per route TTL; never shared across tenants.
 */
package dev.tollgate.core.cache;
