/**
 * Time read cheaply where a tenth of a second is precise enough: cache freshness, meter windows, the
 * provider deadlines.
 */
package dev.tollgate.core.clock;
