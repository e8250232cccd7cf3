/**
 * Envelope encryption for tenant secrets (provider API keys): KEKs from configuration wrap one DEK per
 * tenant with AES-KWP, and the DEK seals each secret with AES-256-GCM bound to its tenant, project and name.
 * Everything here is blocking and runs off the event loop; persistence goes through {@link
 * dev.tollgate.core.vault.VaultStore}.
 */
package dev.tollgate.core.vault;
