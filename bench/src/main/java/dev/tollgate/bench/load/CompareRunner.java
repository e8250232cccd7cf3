package dev.tollgate.bench.load;

import static java.util.Objects.requireNonNull;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs one workload against several targets, interleaved round by round (A B A B …) so that drift of the machine
 * hits every target alike, and sums each target's rounds. Runs on the calling thread.
 */
public final class CompareRunner {

  private final LoadConfig workload;
  private final List<CompareTarget> targets;
  private final int rounds;
  private final PrintStream progress;

  /** {@code workload}'s URL is replaced by each target's; {@code progress} may be null. */
  public CompareRunner(LoadConfig workload, List<CompareTarget> targets, int rounds, PrintStream progress) {
    this.workload = requireNonNull(workload, "workload");
    this.targets = List.copyOf(targets);
    if (this.targets.isEmpty()) {
      throw new IllegalArgumentException("targets: none (expected: at least one name=URL)");
    }
    Set<String> names = new LinkedHashSet<>();
    for (CompareTarget target : this.targets) {
      if (!names.add(target.name())) {
        throw new IllegalArgumentException("targets: " + target.name() + " twice (expected: unique names)");
      }
    }
    if (rounds < 1) {
      throw new IllegalArgumentException("rounds: " + rounds + " (expected: > 0)");
    }
    this.rounds = rounds;
    this.progress = progress;
  }

  /** Runs every round and returns the per-target sums, in the order the targets were given. */
  public List<TargetStats> run() throws InterruptedException {
    List<TargetStats> stats = new ArrayList<>();
    targets.forEach(target -> stats.add(new TargetStats(target)));
    for (int round = 1; round <= rounds; round++) {
      for (TargetStats target : stats) {
        if (progress != null) {
          progress.printf("== round %d/%d: %s %s%n", round, rounds, target.target().name(), target.target().url());
        }
        LoadConfig config = workload.withUrl(target.target().url());
        // the target's CPU over the measured window only: warmup (and its JIT compilation) is not charged
        ProcessSample[] before = {ProcessSample.UNKNOWN};
        LoadResult result = new LoadGenerator(config, System::nanoTime, progress)
            .run(() -> before[0] = ProcessSample.of(target.target().pid()));
        ProcessSample after = ProcessSample.of(target.target().pid());
        target.add(result, before[0], after);
      }
    }
    return stats;
  }
}
