package dev.tollgate.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * CPU time (user + system clock ticks) and resident memory of a process, read from {@code /proc/PID/stat} and
 * {@code /proc/PID/status}. Immutable; {@link #UNKNOWN} when the process or {@code /proc} is missing.
 *
 * @param cpuTicks user plus system time in clock ticks
 * @param systemTicks the system (kernel) part of {@code cpuTicks}
 * @param rssKibibytes VmRSS
 */
record ProcessSample(boolean known, long cpuTicks, long systemTicks, long rssKibibytes) {

  static final ProcessSample UNKNOWN = new ProcessSample(false, 0, 0, 0);
  private static final long CLOCK_TICKS_PER_SECOND = readClockTicks();

  /** Reads the process now. */
  static ProcessSample of(long pid) {
    if (pid <= 0) {
      return UNKNOWN;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
      return new ProcessSample(true, parseCpuTicks(stat), parseSystemTicks(stat), parseRssKibibytes(status));
    } catch (IOException | RuntimeException e) {
      return UNKNOWN;
    }
  }

  /** utime + stime: fields 14 and 15, counted after the {@code (comm)} field, which may hold spaces. */
  static long parseCpuTicks(String stat) {
    return statField(stat, 14) + statField(stat, 15);
  }

  /** stime: field 15. */
  static long parseSystemTicks(String stat) {
    return statField(stat, 15);
  }

  private static long statField(String stat, int field) {
    String afterComm = stat.substring(stat.lastIndexOf(')') + 2);
    String[] fields = afterComm.trim().split("\\s+");
    // afterComm starts at field 3 (state), so field n is at index n - 3
    return Long.parseLong(fields[field - 3]);
  }

  static long parseRssKibibytes(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").trim());
      }
    }
    return 0;
  }

  static double ticksToMicros(long ticks) {
    return ticks * 1_000_000.0 / CLOCK_TICKS_PER_SECOND;
  }

  private static long readClockTicks() {
    try {
      Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(getconf.getInputStream().readAllBytes()).trim();
      if (getconf.waitFor(2, TimeUnit.SECONDS) && getconf.exitValue() == 0) {
        long ticks = Long.parseLong(out);
        if (ticks > 0) {
          return ticks;
        }
      }
    } catch (IOException | RuntimeException e) {
      // no getconf: the Linux default below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 100;
  }
}
