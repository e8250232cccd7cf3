package dev.tollgate.bench.load;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * Picks Epoll when the native transport loads, else NIO. Epoll is only on the runtime classpath, so it is
 * reached by reflection. Immutable; shared by the load generator and the mock upstream.
 */
public final class NativeTransport {

  private static final NativeTransport INSTANCE = detect();

  private final String name;
  private final IoHandlerFactory ioHandlerFactory;
  private final Class<? extends SocketChannel> socketChannel;
  private final Class<? extends ServerChannel> serverChannel;

  private NativeTransport(String name, IoHandlerFactory ioHandlerFactory,
      Class<? extends SocketChannel> socketChannel, Class<? extends ServerChannel> serverChannel) {
    this.name = name;
    this.ioHandlerFactory = ioHandlerFactory;
    this.socketChannel = socketChannel;
    this.serverChannel = serverChannel;
  }

  /** The transport of this process: epoll if available, else nio. */
  public static NativeTransport get() {
    return INSTANCE;
  }

  /** A new event loop group with {@code threads} threads on this transport. */
  public MultiThreadIoEventLoopGroup newGroup(int threads) {
    return new MultiThreadIoEventLoopGroup(threads, ioHandlerFactory);
  }

  public Class<? extends SocketChannel> socketChannel() {
    return socketChannel;
  }

  public Class<? extends ServerChannel> serverChannel() {
    return serverChannel;
  }

  @Override
  public String toString() {
    return name;
  }

  @SuppressWarnings("unchecked")
  private static NativeTransport detect() {
    try {
      Class<?> epoll = Class.forName("io.netty.channel.epoll.Epoll");
      if ((Boolean) epoll.getMethod("isAvailable").invoke(null)) {
        IoHandlerFactory factory = (IoHandlerFactory) Class.forName("io.netty.channel.epoll.EpollIoHandler")
            .getMethod("newFactory").invoke(null);
        return new NativeTransport("epoll", factory,
            (Class<? extends SocketChannel>) Class.forName("io.netty.channel.epoll.EpollSocketChannel"),
            (Class<? extends ServerChannel>) Class.forName("io.netty.channel.epoll.EpollServerSocketChannel"));
      }
    } catch (ReflectiveOperationException | LinkageError e) {
      // no native transport on this platform: NIO below
    }
    return new NativeTransport("nio", NioIoHandler.newFactory(), NioSocketChannel.class,
        NioServerSocketChannel.class);
  }
}
