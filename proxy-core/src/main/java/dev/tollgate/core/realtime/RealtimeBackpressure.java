package dev.tollgate.core.realtime;

import io.netty.channel.Channel;

/**
 * The link between the two sides of a realtime session, both ways. Each side reads on its own
 * ({@code AUTO_READ} on, so a busy session costs no {@code epoll_ctl} per frame); every batch read is
 * flushed to the peer once. When the peer's outbound buffer passes its high watermark, reads on this side
 * stop ({@code AUTO_READ} off) until the peer drains below its low watermark. So a slow client pauses the
 * provider, a slow provider pauses the client, and nothing buffers beyond the watermarks plus one frame.
 *
 * <pre>
 *   client  ⇄ frames ⇄  gateway  ⇄ frames ⇄  upstream
 *     │ upstream not writable ──▶ client AUTO_READ off  · writable again ──▶ on
 *     │ client not writable ────▶ upstream AUTO_READ off · writable again ──▶ on
 * </pre>
 * Confined to the client channel's event loop (the upstream channel shares it).
 */
final class RealtimeBackpressure {

  private final Channel client;
  private final Channel upstream;
  private boolean clientReadsPaused;
  private boolean upstreamReadsPaused;

  RealtimeBackpressure(Channel client, Channel upstream) {
    this.client = client;
    this.upstream = upstream;
  }

  /** Both sides start reading on their own. */
  void start() {
    client.config().setAutoRead(true);
    upstream.config().setAutoRead(true);
  }

  /** A client frame was written (not yet flushed) to the upstream: stop reading the client if it is full. */
  void afterClientFrame() {
    if (!clientReadsPaused && !upstream.isWritable()) {
      clientReadsPaused = true;
      client.config().setAutoRead(false);
    }
  }

  /** An upstream frame was written (not yet flushed) to the client: stop reading the upstream if it is full. */
  void afterUpstreamFrame() {
    if (!upstreamReadsPaused && !client.isWritable()) {
      upstreamReadsPaused = true;
      upstream.config().setAutoRead(false);
    }
  }

  /** After a batch from the client: one flush to the upstream, then read on only if it keeps up. */
  void afterClientBatch() {
    upstream.flush();
    afterClientFrame();
  }

  /** After a batch from the upstream: one flush to the client, then read on only if it keeps up. */
  void afterUpstreamBatch() {
    client.flush();
    afterUpstreamFrame();
  }

  /** The upstream's writability changed: resume client reads if they were paused for it. */
  void upstreamWritabilityChanged() {
    if (clientReadsPaused && upstream.isWritable()) {
      clientReadsPaused = false;
      client.config().setAutoRead(true);
    }
  }

  /** The client's writability changed: resume upstream reads if they were paused for it. */
  void clientWritabilityChanged() {
    if (upstreamReadsPaused && client.isWritable()) {
      upstreamReadsPaused = false;
      upstream.config().setAutoRead(true);
    }
  }

  boolean clientReadsPaused() {
    return clientReadsPaused;
  }

  boolean upstreamReadsPaused() {
    return upstreamReadsPaused;
  }
}
