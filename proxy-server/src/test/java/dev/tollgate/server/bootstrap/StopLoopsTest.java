package dev.tollgate.server.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StopLoopsTest {

  @Test
  void closeGoesOnWhenALoopNeverStops() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    CountDownLatch stuck = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(1);
    group.execute(() -> {
      running.countDown();
      try {
        stuck.await(); // a loop that does not come back, as io_uring's did waiting for a completion
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
    try {
      assertThat(GatewayServer.stopLoops(group, 0, 300)).as("gave up waiting").isFalse();
    } finally {
      stuck.countDown();
    }
    assertThat(group.terminationFuture().await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void anIdleGroupStopsWithinTheWait() {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    assertThat(GatewayServer.stopLoops(group, 0, 5_000)).isTrue();
    assertThat(group.isTerminated()).isTrue();
  }
}
