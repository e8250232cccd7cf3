package dev.tollgate.bench.jmh.pipeline;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * An event loop without a thread of its own: the thread that created it is "in" the loop, tasks
 * submitted from other threads (a store answer resuming a parked request) queue until
 * {@link #runPendingTasks()}. Unlike Netty's {@code EmbeddedEventLoop}, it supports what a
 * {@code Bootstrap} needs (a termination future for the address resolver), so the gateway's
 * {@code UpstreamConnector} can dial {@link InMemorySocketChannel}s on it.
 */
final class InlineEventLoop extends AbstractScheduledEventExecutor implements EventLoop {

  private final Thread owner = Thread.currentThread();
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private long tasksRun;
  private final DefaultPromise<Void> termination = new DefaultPromise<>(GlobalEventExecutor.INSTANCE);

  /** Runs queued tasks and scheduled tasks that are due. Call on the owner thread. */
  void runPendingTasks() {
    for (Runnable task; (task = tasks.poll()) != null; ) {
      tasksRun++;
      task.run();
    }
    long now = getCurrentTimeNanos();
    for (Runnable task; (task = pollScheduledTask(now)) != null; ) {
      tasksRun++;
      task.run();
    }
  }

  /** Tasks run so far (queued and scheduled). */
  long tasksRun() {
    return tasksRun;
  }

  @Override
  public EventLoopGroup parent() {
    return null;
  }

  @Override
  public EventLoop next() {
    return this;
  }

  @Override
  public ChannelFuture register(Channel channel) {
    return register(new DefaultChannelPromise(channel, this));
  }

  @Override
  public ChannelFuture register(ChannelPromise promise) {
    promise.channel().unsafe().register(this, promise);
    return promise;
  }

  @Deprecated
  @Override
  public ChannelFuture register(Channel channel, ChannelPromise promise) {
    channel.unsafe().register(this, promise);
    return promise;
  }

  @Override
  public boolean inEventLoop(Thread thread) {
    return thread == owner;
  }

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
  }

  @Override
  public boolean isShuttingDown() {
    return false;
  }

  @Override
  public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
    return termination;
  }

  @Override
  public Future<?> terminationFuture() {
    return termination;
  }

  @Deprecated
  @Override
  public void shutdown() {
  }

  @Override
  public boolean isShutdown() {
    return false;
  }

  @Override
  public boolean isTerminated() {
    return false;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return false;
  }
}
