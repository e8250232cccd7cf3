package dev.tollgate.core.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class RealtimeBackpressureTest {

  private final EmbeddedChannel client = newChannel();
  private final EmbeddedChannel upstream = newChannel();
  private final RealtimeBackpressure backpressure = new RealtimeBackpressure(client, upstream);

  @Test
  void bothSidesReadOnTheirOwnOnceStarted() {
    backpressure.start();

    assertThat(client.config().isAutoRead()).isTrue();
    assertThat(upstream.config().isAutoRead()).isTrue();
    finish();
  }

  @Test
  void flushesEachBatchToThePeerOnce() {
    backpressure.start();
    upstream.write(Unpooled.wrappedBuffer(new byte[] {1}));
    upstream.write(Unpooled.wrappedBuffer(new byte[] {2}));
    assertThat((Object) upstream.readOutbound()).isNull();

    backpressure.afterClientBatch();

    ByteBuf first = upstream.readOutbound();
    ByteBuf second = upstream.readOutbound();
    assertThat(first.getByte(0)).isEqualTo((byte) 1);
    assertThat(second.getByte(0)).isEqualTo((byte) 2);
    first.release();
    second.release();
    finish();
  }

  @Test
  void pausesClientReadsWhileUpstreamIsNotWritableAndResumesThem() {
    backpressure.start();
    setWritable(upstream, false);

    backpressure.afterClientBatch();

    assertThat(client.config().isAutoRead()).isFalse();
    assertThat(backpressure.clientReadsPaused()).isTrue();
    assertThat(upstream.config().isAutoRead()).isTrue();

    setWritable(upstream, true);
    backpressure.upstreamWritabilityChanged();

    assertThat(client.config().isAutoRead()).isTrue();
    assertThat(backpressure.clientReadsPaused()).isFalse();
    finish();
  }

  @Test
  void pausesUpstreamReadsWhileClientIsNotWritableAndResumesThem() {
    backpressure.start();
    setWritable(client, false);

    backpressure.afterUpstreamFrame();

    assertThat(upstream.config().isAutoRead()).isFalse();
    assertThat(client.config().isAutoRead()).isTrue();

    backpressure.clientWritabilityChanged();
    assertThat(upstream.config().isAutoRead()).as("still not writable").isFalse();

    setWritable(client, true);
    backpressure.clientWritabilityChanged();

    assertThat(upstream.config().isAutoRead()).isTrue();
    assertThat(backpressure.upstreamReadsPaused()).isFalse();
    finish();
  }

  @Test
  void aWritabilityChangeDoesNotResumeReadsThatWereNotPaused() {
    backpressure.start();
    client.config().setAutoRead(false); // paused by someone else, e.g. the session ending

    backpressure.upstreamWritabilityChanged();

    assertThat(client.config().isAutoRead()).isFalse();
    finish();
  }

  private void finish() {
    assertThat(client.finish()).isFalse();
    assertThat(upstream.finish()).isFalse();
  }

  private static void setWritable(EmbeddedChannel channel, boolean writable) {
    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
    assertThat(channel.isWritable()).isEqualTo(writable);
  }

  private static EmbeddedChannel newChannel() {
    EmbeddedChannel channel = new EmbeddedChannel();
    channel.config().setAutoRead(false);
    return channel;
  }
}
