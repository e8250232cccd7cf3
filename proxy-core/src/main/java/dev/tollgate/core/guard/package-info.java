/** Guards the request's framing and size: codec limits, smuggling shapes, path sanity, the body limit. */
package dev.tollgate.core.guard;
