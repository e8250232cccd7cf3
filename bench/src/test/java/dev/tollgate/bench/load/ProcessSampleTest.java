package dev.tollgate.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessSampleTest {

  @Test
  void addsUserAndSystemTicksEvenWhenTheCommandNameHasSpaces() {
    String stat = "4242 (java main) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 30 0 100 0 0";

    assertThat(ProcessSample.parseCpuTicks(stat)).isEqualTo(1234 + 567);
    assertThat(ProcessSample.parseSystemTicks(stat)).isEqualTo(567);
  }

  @Test
  void readsResidentMemoryFromStatus() {
    String status = "Name:\tjava\nVmPeak:\t 9000 kB\nVmRSS:\t  51200 kB\nThreads:\t12\n";

    assertThat(ProcessSample.parseRssKibibytes(status)).isEqualTo(51200);
  }

  @Test
  void samplesThisProcess() {
    ProcessSample sample = ProcessSample.of(ProcessHandle.current().pid());

    assertThat(sample.known()).isTrue();
    assertThat(sample.rssKibibytes()).isPositive();
  }

  @Test
  void knowsNothingWithoutAPid() {
    assertThat(ProcessSample.of(0)).isEqualTo(ProcessSample.UNKNOWN);
  }
}
