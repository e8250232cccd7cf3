package dev.tollgate.core.upstream;

import io.netty.channel.Channel;

/**
 * The one link between the two sides of a relay. The upstream connection reads on its own
 * ({@code AUTO_READ} on, so a fast relay costs no {@code epoll_ctl} per request); after each batch is
 * flushed to the client, reading goes on only if the client can take more. When the client's outbound
 * buffer passes its high watermark, upstream reads stop ({@code AUTO_READ} off); when it drains below
 * the low watermark, they resume. So a slow client pauses the upstream and nothing buffers beyond the
 * watermarks (plus the one batch in flight when the pause begins).
 *
 * <pre>
 *   client  ⇐ write ⇐  gateway  ⇐ read ⇐  upstream
 *     │ not writable ──────────────────▶ AUTO_READ off
 *     │ writable again ────────────────▶ AUTO_READ on
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
    if (!paused && !client.isWritable()) {
      paused = true;
      upstream.config().setAutoRead(false);
    }
  }

  /** The client's writability changed: resume upstream reads if they were paused for it. */
  void clientWritabilityChanged() {
    if (paused && client.isWritable()) {
      paused = false;
      upstream.config().setAutoRead(true);
    }
  }
}
