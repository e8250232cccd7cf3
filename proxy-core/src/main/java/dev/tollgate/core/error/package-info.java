/** Guards the client-facing error contract: one catalogue, one writer, the provider's body shape. */
package dev.tollgate.core.error;
