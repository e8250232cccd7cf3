package dev.tollgate.bench.jmh.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.bench.jmh.usage.ProviderBodies;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The floor harness moves the request to the upstream channel and the response to the client channel
 * byte for byte, and releases every read it made.
 */
class HarnessFloorBenchmarkTest {

  private final HarnessFloorBenchmark floor = new HarnessFloorBenchmark();
  private final RecordingAllocator reads = new RecordingAllocator();

  @BeforeEach
  void setUp() {
    floor.setUp();
    floor.client.config().setAllocator(reads);
    floor.upstream.config().setAllocator(reads);
  }

  @AfterEach
  void tearDown() {
    floor.tearDown();
  }

  @Test
  void aJsonExchangeForwardsTheRequestAndTheResponseAsTheyCameAndReleasesEveryRead() {
    assertExchange(floor.bytes.jsonRequest, floor.bytes.jsonResponseReads);
  }

  @Test
  void anSse16ExchangeForwardsTheRequestAndEveryResponseReadAsTheyCameAndReleasesEveryRead() {
    assertExchange(floor.bytes.sseRequest, floor.bytes.sseResponseReads);
  }

  @Test
  void theBenchmarkMethodsReturnTheResponseLengthAndReleaseEveryRead() {
    assertThat(floor.jsonExchange()).isEqualTo(ProviderBodies.concat(floor.bytes.jsonResponseReads).length);
    assertThat(floor.sse16Exchange()).isEqualTo(ProviderBodies.concat(floor.bytes.sseResponseReads).length);

    int expectedReads = 2 + floor.bytes.jsonResponseReads.size() + floor.bytes.sseResponseReads.size();
    assertThat(reads.made).hasSize(expectedReads).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
  }

  private void assertExchange(byte[] request, List<byte[]> responseReads) {
    StringBuilder upstreamGot = new StringBuilder();
    StringBuilder clientGot = new StringBuilder();

    int clientBytes = floor.exchange(request, responseReads, upstreamGot, clientGot);

    byte[] response = ProviderBodies.concat(responseReads);
    assertThat(upstreamGot.toString()).isEqualTo(new String(request, StandardCharsets.UTF_8));
    assertThat(clientGot.toString()).isEqualTo(new String(response, StandardCharsets.UTF_8));
    assertThat(clientBytes).isEqualTo(response.length);
    assertThat(reads.made).hasSize(1 + responseReads.size()).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
    assertThat(floor.client.written()).isEmpty();
    assertThat(floor.upstream.written()).isEmpty();
  }

  /** Unpooled buffers, each kept, so a test can check that all were released. */
  private static final class RecordingAllocator extends AbstractByteBufAllocator {

    final List<ByteBuf> made = new ArrayList<>();

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
      return record(UnpooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity));
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
      return record(UnpooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity));
    }

    @Override
    public boolean isDirectBufferPooled() {
      return false;
    }

    private ByteBuf record(ByteBuf buf) {
      made.add(buf);
      return buf;
    }
  }
}
