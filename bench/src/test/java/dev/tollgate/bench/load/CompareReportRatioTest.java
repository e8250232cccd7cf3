package dev.tollgate.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class CompareReportRatioTest {

  @Test
  void setsEachRoundAgainstTheReferencesSameRound() {
    List<Double> ratios = CompareReport.ratios(List.of(30.0, 45.0, 26.0), List.of(20.0, 30.0, 20.0));

    assertThat(ratios).containsExactly(1.5, 1.5, 1.3);
  }

  @Test
  void leavesARoundWithoutAReferenceFigureUnknown() {
    List<Double> ratios = CompareReport.ratios(List.of(30.0, 45.0, 26.0), List.of(20.0, Double.NaN));

    assertThat(ratios.get(0)).isEqualTo(1.5);
    assertThat(ratios.get(1)).isNaN();
    assertThat(ratios.get(2)).isNaN();
  }

  @Test
  void theMedianIsTheMiddleKnownValueOrTheMeanOfTheMiddleTwo() {
    assertThat(CompareReport.median(List.of(1.3, 1.9, 1.2))).isEqualTo(1.3);
    assertThat(CompareReport.median(List.of(1.4, Double.NaN, 1.2, 1.9, 1.3))).isCloseTo(1.35, within(1e-9));
    assertThat(CompareReport.median(List.of(Double.NaN))).isNaN();
    assertThat(CompareReport.median(List.of())).isNaN();
  }
}
