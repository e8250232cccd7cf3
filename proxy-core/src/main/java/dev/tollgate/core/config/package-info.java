/** Guards configuration: immutable validated records and the atomically swapped current snapshot. */
package dev.tollgate.core.config;
