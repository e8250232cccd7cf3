/** The bench command line: runs the mock upstream, the load generator and the side-by-side comparison. */
package dev.tollgate.bench;
