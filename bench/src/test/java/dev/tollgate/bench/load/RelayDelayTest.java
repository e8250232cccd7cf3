package dev.tollgate.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.bench.mock.MockUpstream;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RelayDelayTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final MockUpstream MOCK = new MockUpstream(3, 5, 1);
  private static URI url;

  @BeforeAll
  static void start() throws InterruptedException {
    url = URI.create("http://127.0.0.1:" + MOCK.start(0) + "/v1/chat/completions");
  }

  @AfterAll
  static void stop() {
    MOCK.close();
  }

  @Test
  void recordsOneSmallNonNegativeRelayDelayPerStampedStream() throws InterruptedException {
    LoadResult result = run(true);

    Histogram relayDelay = result.relayDelayMicros();
    assertThat(result.requests()).isPositive();
    assertThat(result.errorCount()).isZero();
    assertThat(relayDelay.getTotalCount()).isEqualTo(result.requests());
    assertThat(relayDelay.getMinValue()).isNotNegative();
    assertThat(relayDelay.getMaxValue()).isLessThan(TIMEOUT.toNanos() / 1000);
    assertThat(result.relayDelay().count()).isEqualTo(result.requests());
  }

  @Test
  void recordsNoRelayDelayWithoutStamps() throws InterruptedException {
    LoadResult result = run(false);

    assertThat(result.requests()).isPositive();
    assertThat(result.relayDelayMicros().getTotalCount()).isZero();
  }

  @Test
  void asksForTheStampWithTheHeaderTheMockReads() {
    assertThat(LoadConfig.STAMP_HEADER).isEqualTo(MockUpstream.STAMP_HEADER);
  }

  private static LoadResult run(boolean stamp) throws InterruptedException {
    LoadConfig config = new LoadConfig(url, Map.of(), LoadConfig.defaultBody(url, true), true, 0, 2,
        Duration.ofMillis(500), Duration.ofMillis(100), TIMEOUT, stamp);
    return new LoadGenerator(config, System::nanoTime, null).run();
  }
}
