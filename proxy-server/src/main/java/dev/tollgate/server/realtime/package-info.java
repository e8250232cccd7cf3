/** Wires realtime voice into the server: TURN credentials from the turn-issuer module and the playground page. */
package dev.tollgate.server.realtime;
