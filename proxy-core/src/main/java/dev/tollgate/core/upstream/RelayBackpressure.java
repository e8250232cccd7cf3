package dev.tollgate.core.upstream;

import io.netty.channel.Channel;

/**
 * The one link between the two sides of a relay. Upstream reads are requested one at a time
 * ({@code AUTO_READ} off); after each batch is written to the client, the next read is requested only
 * if the client can take more. When the client's outbound buffer passes its high watermark, reads
 * stop; when it drains below the low watermark, they resume. So a slow client pauses the upstream
 * and nothing buffers beyond the watermarks.
 *
 * <pre>
 *   client  ⇐ write ⇐  gateway  ⇐ read() ⇐  upstream
 *     │ not writable ──────────────────▶ stop read()
 *     │ writable again ────────────────▶ read()
 * </pre>
 * Event-loop confined (both channels share one loop).
 */
final class RelayBackpressure {

  private final Channel client;
  private final Channel upstream;
  private boolean paused;

  RelayBackpressure(Channel client, Channel upstream) {
    this.client = client;
    this.upstream = upstream;
  }

  /** After a batch from upstream: push it to the client, then read on only if the client keeps up. */
  void afterUpstreamBatch() {
    client.flush();
    if (client.isWritable()) {
      upstream.read();
    } else {
      paused = true;
    }
  }

  /** The client's writability changed: resume upstream reads if they were paused for it. */
  void clientWritabilityChanged() {
    if (paused && client.isWritable()) {
      paused = false;
      upstream.read();
    }
  }

  boolean paused() {
    return paused;
  }
}
