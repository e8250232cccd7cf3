/** Guards durable state: the StateStore interface and its embedded SQLite implementation, off the event loop. */
package dev.tollgate.core.store;
