package dev.tollgate.bench.jmh.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DefaultSocketChannelConfig;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketChannelConfig;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * A socket channel without a socket, on an {@link InlineEventLoop}: {@link #receive} feeds bytes in as
 * a socket read would (channelRead, then channelReadComplete), and what the pipeline flushes lands in
 * {@link #written()}. It lets the gateway's real {@code GatewayPipeline} (which wants a
 * {@code SocketChannel}) and {@code UpstreamConnector} (which dials with a {@code Bootstrap} and a
 * channel class) run unchanged; connecting always succeeds at once. Public with a no-arg constructor
 * because the Bootstrap creates upstream channels reflectively. Confined to the loop's owner thread.
 */
public final class InMemorySocketChannel extends AbstractChannel implements SocketChannel {

  private static final ChannelMetadata METADATA = new ChannelMetadata(false);
  private static final InetSocketAddress LOCAL = new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080);
  private static final InetSocketAddress REMOTE = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);

  /** The channel created last, so a benchmark can find the upstream channel the connector made. */
  private static volatile InMemorySocketChannel newest;

  private final SocketChannelConfig config;
  private final Queue<Object> written = new ArrayDeque<>();
  private boolean open = true;
  private boolean active;

  public InMemorySocketChannel() {
    super(null);
    // never connected: it only carries socket options (an unconnected socket holds no OS resources)
    this.config = new DefaultSocketChannelConfig(this, new Socket());
    newest = this;
  }

  /** The channel created last (by a benchmark or by the connector's Bootstrap), or null. */
  public static InMemorySocketChannel newest() {
    return newest;
  }

  /**
   * One socket read of {@code bytes}: a pooled copy of them up the pipeline (whose handlers release it,
   * as they release a socket read), then the end of the read batch.
   */
  public void receive(byte[] bytes) {
    pipeline().fireChannelRead(alloc().buffer(bytes.length).writeBytes(bytes));
    pipeline().fireChannelReadComplete();
  }

  /** What the pipeline wrote and flushed, oldest first; the caller releases what it polls. */
  public Queue<Object> written() {
    return written;
  }

  /** Releases everything written so far; returns the number of bytes. */
  public int releaseWritten() {
    return releaseWritten(null);
  }

  /**
   * Releases everything written so far, first appending its bytes to {@code out} (as UTF-8) unless
   * {@code out} is null; returns the number of bytes.
   */
  public int releaseWritten(StringBuilder out) {
    int bytes = 0;
    for (Object msg; (msg = written.poll()) != null; ) {
      if (msg instanceof ByteBuf buf) {
        bytes += buf.readableBytes();
        if (out != null) {
          out.append(buf.toString(StandardCharsets.UTF_8));
        }
      }
      ReferenceCountUtil.release(msg);
    }
    return bytes;
  }

  @Override
  public SocketChannelConfig config() {
    return config;
  }

  @Override
  public ServerSocketChannel parent() {
    return null;
  }

  @Override
  public InetSocketAddress localAddress() {
    return LOCAL;
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return REMOTE;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public boolean isActive() {
    return active;
  }

  @Override
  public ChannelMetadata metadata() {
    return METADATA;
  }

  @Override
  public boolean isInputShutdown() {
    return !active;
  }

  @Override
  public ChannelFuture shutdownInput() {
    return close();
  }

  @Override
  public ChannelFuture shutdownInput(ChannelPromise promise) {
    return close(promise);
  }

  @Override
  public boolean isOutputShutdown() {
    return !active;
  }

  @Override
  public ChannelFuture shutdownOutput() {
    return close();
  }

  @Override
  public ChannelFuture shutdownOutput(ChannelPromise promise) {
    return close(promise);
  }

  @Override
  public boolean isShutdown() {
    return !active;
  }

  @Override
  public ChannelFuture shutdown() {
    return close();
  }

  @Override
  public ChannelFuture shutdown(ChannelPromise promise) {
    return close(promise);
  }

  @Override
  protected AbstractUnsafe newUnsafe() {
    return new AbstractUnsafe() {
      @Override
      public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
        if (!promise.setUncancellable() || !ensureOpen(promise)) {
          return;
        }
        active = true;
        promise.setSuccess();
        pipeline().fireChannelActive();
      }
    };
  }

  @Override
  protected boolean isCompatible(EventLoop loop) {
    return loop instanceof InlineEventLoop;
  }

  @Override
  protected SocketAddress localAddress0() {
    return LOCAL;
  }

  @Override
  protected SocketAddress remoteAddress0() {
    return REMOTE;
  }

  /**
   * Registers this channel on {@code loop} as an accepted connection: active from registration on, so
   * the handlers already in its pipeline see channelRegistered and then channelActive. (An upstream
   * channel the connector makes becomes active when it connects instead.)
   */
  void registerAccepted(InlineEventLoop loop) {
    active = true;
    loop.register(this).syncUninterruptibly();
  }

  @Override
  protected void doBind(SocketAddress localAddress) {
  }

  @Override
  protected void doDisconnect() {
    doClose();
  }

  @Override
  protected void doClose() {
    open = false;
    active = false;
  }

  @Override
  protected void doBeginRead() {
  }

  @Override
  protected void doWrite(ChannelOutboundBuffer in) {
    for (Object msg; (msg = in.current()) != null; ) {
      ReferenceCountUtil.retain(msg); // released by whoever polls written(); remove() drops the buffer's own
      written.add(msg);
      in.remove();
    }
  }
}
