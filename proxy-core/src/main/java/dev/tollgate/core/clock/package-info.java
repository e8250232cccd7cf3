/** Time read cheaply where a tenth of a second is precise enough: cache freshness, meter windows. */
package dev.tollgate.core.clock;
