/** The realtime WebSocket load: sessions with frames in flight, their round trips and frames per second. */
package dev.tollgate.bench.realtime;
