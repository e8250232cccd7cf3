/** Guards what tenants are told about their usage: threshold and margin alerts, on a schedule. */
package dev.tollgate.server.metering;
