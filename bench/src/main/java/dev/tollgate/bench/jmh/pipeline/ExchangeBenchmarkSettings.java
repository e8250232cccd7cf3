package dev.tollgate.bench.jmh.pipeline;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JMH settings of {@link PipelineBenchmark} and {@link HarnessFloorBenchmark}, which JMH reads from
 * a benchmark's superclass: one place, so the floor always runs as the benchmark it is subtracted from.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 6, time = 1) // still compiling in the third second (see bench/README.md)
@Measurement(iterations = 5, time = 1)
// event-loop threads (see EventLoopThreadExecutor); the leak detector off, as in production
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled", EventLoopThreadExecutor.SELECT_EXECUTOR,
    EventLoopThreadExecutor.SELECT_CLASS})
public abstract class ExchangeBenchmarkSettings {
}
