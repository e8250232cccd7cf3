package dev.tollgate.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Deadlines on a real event loop, with real time: short timeouts, generous waits. */
class ResponseDeadlinesTest {

  private final EventLoop loop = new DefaultEventLoop();
  private final List<String> passed = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() throws Exception {
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  @Test
  void tellsTheArmedTheirDeadlinePassedOldestFirstAndNotTheDisarmed() throws Exception {
    CountDownLatch two = new CountDownLatch(2);
    Named a = new Named("a", two);
    Named b = new Named("b", two);
    Named c = new Named("c", two);

    onLoop(() -> {
      ResponseDeadlines list = ResponseDeadlines.of(loop, 50);
      list.arm(a);
      list.arm(b);
      list.arm(c);
      ResponseDeadlines.disarm(b); // answered in time
    });

    assertThat(two.await(5, TimeUnit.SECONDS)).isTrue();
    Thread.sleep(100); // b, had it stayed armed, would have been told by now
    assertThat(passed).containsExactly("a", "c");
  }

  @Test
  void aListWhoseOldestLeftStillTellsTheNextWhenItsTimeComes() throws Exception {
    CountDownLatch one = new CountDownLatch(1);
    Named first = new Named("first", one);
    Named second = new Named("second", one);

    onLoop(() -> ResponseDeadlines.of(loop, 2_000).arm(first));
    Thread.sleep(100);
    onLoop(() -> {
      ResponseDeadlines.disarm(first); // the timer stays set for first's deadline
      ResponseDeadlines.of(loop, 2_000).arm(second);
    });

    assertThat(one.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(passed).containsExactly("second");
  }

  @Test
  void armingAgainRestartsTheWaitAndDisarmingTwiceIsHarmless() throws Exception {
    CountDownLatch one = new CountDownLatch(1);
    Named retried = new Named("retried", one);

    onLoop(() -> {
      ResponseDeadlines list = ResponseDeadlines.of(loop, 50);
      list.arm(retried);
      list.arm(retried); // a retry on a new connection
      ResponseDeadlines.disarm(retried);
      ResponseDeadlines.disarm(retried);
      list.arm(retried);
    });

    assertThat(one.await(5, TimeUnit.SECONDS)).isTrue();
    Thread.sleep(100);
    assertThat(passed).containsExactly("retried");
  }

  @Test
  void eachTimeoutHasItsOwnListOnALoop() throws Exception {
    CountDownLatch two = new CountDownLatch(2);
    Named slow = new Named("slow", two);
    Named quick = new Named("quick", two);

    onLoop(() -> {
      assertThat(ResponseDeadlines.of(loop, 300)).isSameAs(ResponseDeadlines.of(loop, 300))
          .isNotSameAs(ResponseDeadlines.of(loop, 30));
      ResponseDeadlines.of(loop, 300).arm(slow);
      ResponseDeadlines.of(loop, 30).arm(quick);
    });

    assertThat(two.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(passed).containsExactly("quick", "slow");
  }

  @Test
  void aDeadlineNeverPassesBeforeItsTimeout() throws Exception {
    // armed from the coarse clock, which lags the system clock by up to a tick: the tick is added, not lost
    for (int round = 0; round < 5; round++) {
      CountDownLatch one = new CountDownLatch(1);
      Named timed = new Named("timed", one);
      long[] armedAt = new long[1];
      onLoop(() -> {
        armedAt[0] = System.nanoTime();
        ResponseDeadlines.of(loop, 120).arm(timed);
      });
      assertThat(one.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(timed.toldAtNanos - armedAt[0]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(120));
      Thread.sleep(37); // the next round arms at another point between two ticks
    }
  }

  private void onLoop(Runnable task) throws Exception {
    loop.submit(task).get(5, TimeUnit.SECONDS);
  }

  private final class Named extends ResponseDeadlines.Waiter {
    private final String name;
    private final CountDownLatch told;
    private volatile long toldAtNanos;

    Named(String name, CountDownLatch told) {
      this.name = name;
      this.told = told;
    }

    @Override
    void deadlinePassed() {
      toldAtNanos = System.nanoTime();
      passed.add(name);
      told.countDown();
    }
  }
}
