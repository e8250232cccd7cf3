/** Guards process lifecycle: startup, listeners, reload, and draining shutdown. */
package dev.tollgate.server.bootstrap;
