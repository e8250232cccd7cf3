/** Guards per-request state: the one context object every stage reads and writes, and channel attributes. */
package dev.tollgate.core.context;
