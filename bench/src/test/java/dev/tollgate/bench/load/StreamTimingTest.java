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

class StreamTimingTest {

  private static final int CHUNKS = 5;
  private static final long CHUNK_DELAY_MILLIS = 20;
  private static final MockUpstream MOCK = new MockUpstream(CHUNKS, CHUNK_DELAY_MILLIS, 1);
  private static int port;

  @BeforeAll
  static void start() throws InterruptedException {
    port = MOCK.start(0);
  }

  @AfterAll
  static void stop() {
    MOCK.close();
  }

  @Test
  void firstByteComesBeforeLastByteAndLastByteAfterEveryChunkDelay() throws InterruptedException {
    LoadResult result = run(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"), 0);

    Histogram lastByte = result.latencyMicros();
    Histogram firstByte = result.firstByteMicros();
    assertThat(result.requests()).isPositive();
    assertThat(result.errorCount()).isZero();
    assertThat(lastByte.highestEquivalentValue(lastByte.getMinValue()))
        .isGreaterThanOrEqualTo(CHUNKS * CHUNK_DELAY_MILLIS * 1000);
    assertThat(firstByte.highestEquivalentValue(firstByte.getMinValue()))
        .isGreaterThanOrEqualTo(CHUNK_DELAY_MILLIS * 1000);
    assertThat(firstByte.getValueAtPercentile(50)).isLessThan(lastByte.getValueAtPercentile(50));
  }

  @Test
  void timesAnOpenLoopStreamFromTheMockWithoutErrors() throws InterruptedException {
    LoadResult result = run(URI.create("http://127.0.0.1:" + port + "/v1/messages?chunks=2&chunk_delay_ms=5"), 20);

    assertThat(result.requests()).isPositive();
    assertThat(result.errorCount()).isZero();
    assertThat(result.latencyMicros().highestEquivalentValue(result.latencyMicros().getMinValue()))
        .isGreaterThanOrEqualTo(2 * 5 * 1000);
  }

  @Test
  void countsRequestsThatOutliveTheTimeout() throws InterruptedException {
    URI url = URI.create("http://127.0.0.1:" + port + "/v1/chat/completions?chunks=1&chunk_delay_ms=2000");
    LoadConfig config = new LoadConfig(url, Map.of(), LoadConfig.defaultBody(url, true), true, 0, 1,
        Duration.ofMillis(300), Duration.ZERO, Duration.ofMillis(200));

    LoadResult result = new LoadGenerator(config, System::nanoTime, null).run();

    assertThat(result.requests()).isZero();
    assertThat(result.errors().get(ErrorKind.TIMEOUT)).isPositive();
    assertThat(result.errors().get(ErrorKind.RESET)).isZero();
  }

  @Test
  void countsServerErrorsByKind() throws InterruptedException {
    LoadResult result = run(URI.create("http://127.0.0.1:" + port + "/v1/unknown"), 0);

    assertThat(result.requests()).isZero();
    assertThat(result.errors().get(ErrorKind.STATUS_4XX)).isPositive();
  }

  private static LoadResult run(URI url, double ratePerSecond) throws InterruptedException {
    LoadConfig config = new LoadConfig(url, Map.of(), LoadConfig.defaultBody(url, true), true, ratePerSecond, 2,
        Duration.ofMillis(500), Duration.ZERO, Duration.ofSeconds(5));
    return new LoadGenerator(config, System::nanoTime, null).run();
  }
}
