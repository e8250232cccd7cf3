/** Guards the order of the request path: the stage list and the one place that assembles it. */
package dev.tollgate.core.pipeline;
