package dev.tollgate.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OpenLoopScheduleTest {

  private static final long MS = 1_000_000L;

  @Test
  void spacesIntendedTimesOneMillisecondApartAtOneThousandPerSecond() {
    OpenLoopSchedule schedule = new OpenLoopSchedule(1000, 5 * MS, Long.MAX_VALUE, 0, 1);

    long[] taken = new long[4];
    for (int i = 0; i < taken.length; i++) {
      taken[i] = schedule.takeDue(Long.MAX_VALUE - 1);
    }

    assertThat(taken).containsExactly(5 * MS, 6 * MS, 7 * MS, 8 * MS);
  }

  @Test
  void givesEachLaneEveryNthRequestOfTheRun() {
    OpenLoopSchedule lane1 = new OpenLoopSchedule(1000, 0, Long.MAX_VALUE, 1, 3);

    assertThat(lane1.takeDue(100 * MS)).isEqualTo(1 * MS);
    assertThat(lane1.takeDue(100 * MS)).isEqualTo(4 * MS);
    assertThat(lane1.takeDue(100 * MS)).isEqualTo(7 * MS);
  }

  @Test
  void releasesNothingBeforeItsIntendedTime() {
    OpenLoopSchedule schedule = new OpenLoopSchedule(1000, 10 * MS, Long.MAX_VALUE, 0, 1);

    assertThat(schedule.takeDue(10 * MS - 1)).isEqualTo(-1);
    assertThat(schedule.takeDue(10 * MS)).isEqualTo(10 * MS);
    assertThat(schedule.nextIntendedNanos()).isEqualTo(11 * MS);
  }

  @Test
  void endsBeforeTheEndOfTheRun() {
    OpenLoopSchedule schedule = new OpenLoopSchedule(1000, 0, 3 * MS, 0, 1);

    assertThat(schedule.takeDue(10 * MS)).isEqualTo(0);
    assertThat(schedule.takeDue(10 * MS)).isEqualTo(1 * MS);
    assertThat(schedule.takeDue(10 * MS)).isEqualTo(2 * MS);
    assertThat(schedule.takeDue(10 * MS)).isEqualTo(-1);
    assertThat(schedule.nextIntendedNanos()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void rejectsANonPositiveRate() {
    assertThatThrownBy(() -> new OpenLoopSchedule(0, 0, 1, 0, 1))
        .hasMessage("ratePerSecond: 0.0 (expected: > 0)");
  }
}
