/** Guards the operator's control surface: admin API behind a token, and the ops endpoints. */
package dev.tollgate.server.admin;
