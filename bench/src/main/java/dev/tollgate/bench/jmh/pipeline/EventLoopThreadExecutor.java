package dev.tollgate.bench.jmh.pipeline;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * JMH's worker pool with {@link FastThreadLocalThread}s, the thread type of Netty's event loops: on
 * those threads Netty recycles its per-write objects and uses the pooled allocator's thread cache, so a
 * benchmark on them allocates what the gateway allocates. Selected with
 * {@code -Djmh.executor=CUSTOM -Djmh.executor.class=dev.tollgate.bench.jmh.pipeline.EventLoopThreadExecutor}.
 */
public final class EventLoopThreadExecutor extends ThreadPoolExecutor {

  /** The JVM options that select this executor, for {@code @Fork(jvmArgsAppend = ...)}. */
  public static final String SELECT_EXECUTOR = "-Djmh.executor=CUSTOM";
  public static final String SELECT_CLASS =
      "-Djmh.executor.class=dev.tollgate.bench.jmh.pipeline.EventLoopThreadExecutor";

  /** The constructor JMH calls: the number of worker threads and their name prefix. */
  public EventLoopThreadExecutor(int maxThreads, String prefix) {
    super(maxThreads, maxThreads, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), new Factory(prefix));
  }

  private static final class Factory implements java.util.concurrent.ThreadFactory {
    private final String prefix;
    private final AtomicInteger next = new AtomicInteger();

    Factory(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new FastThreadLocalThread(r, prefix + "-" + next.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  }
}
