package dev.tollgate.server.bootstrap;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.function.Supplier;

/**
 * The socket transport the event loops run on, chosen by {@code server.transport}: {@code auto} (native
 * epoll where the platform has it, else NIO), or {@code epoll}, {@code io_uring}, {@code nio} by name.
 * io_uring is opt-in: it costs less CPU per request under load, but Netty's io_uring transport (4.2.18)
 * was seen to leak a receive buffer, and once to hang, while its event loops shut down (docs/decisions.md).
 * A named native transport the platform cannot load is refused at start with Netty's reason, rather than
 * quietly replaced.
 */
record Transport(
    String name,
    IoHandlerFactory ioHandlers,
    Class<? extends ServerSocketChannel> serverChannel,
    Class<? extends SocketChannel> socketChannel) {

  static Transport choose(String configured) {
    return switch (configured) {
      case "auto" -> Epoll.isAvailable() ? epoll() : nio();
      case "epoll" -> loaded("epoll", Epoll::unavailabilityCause, Transport::epoll);
      case "io_uring" -> loaded("io_uring", IoUring::unavailabilityCause, Transport::ioUring);
      case "nio" -> nio();
      default -> throw new IllegalStateException("server.transport not checked by its config: " + configured);
    };
  }

  private static Transport loaded(String name, Supplier<Throwable> unavailability, Supplier<Transport> transport) {
    Throwable cause = unavailability.get();
    if (cause != null) {
      throw new IllegalStateException("server.transport: " + name + " is not available here: " + cause, cause);
    }
    return transport.get();
  }

  private static Transport epoll() {
    return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
        EpollSocketChannel.class);
  }

  private static Transport ioUring() {
    return new Transport("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class,
        IoUringSocketChannel.class);
  }

  private static Transport nio() {
    return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
  }
}
