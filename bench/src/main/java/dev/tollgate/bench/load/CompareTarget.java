package dev.tollgate.bench.load;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * One system under comparison: a name for the report, the URL to load, and optionally the process id whose CPU
 * time and resident memory are sampled from {@code /proc}. Immutable.
 *
 * @param pid the target's process id, or 0 when unknown
 */
public record CompareTarget(String name, URI url, long pid) {

  /** The name of the baseline target that added latency is measured against. */
  public static final String DIRECT = "direct";

  public CompareTarget {
    requireNonNull(name, "name");
    requireNonNull(url, "url");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name: blank (expected: a label such as direct, nginx, tollgate)");
    }
    if (pid < 0) {
      throw new IllegalArgumentException("pid: " + pid + " (expected: >= 0)");
    }
  }

  /** Parses {@code name=URL[,pid=PID]}. */
  public static CompareTarget parse(String spec) {
    int eq = spec.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException("target: " + spec + " (expected: name=URL[,pid=PID])");
    }
    String name = spec.substring(0, eq);
    String rest = spec.substring(eq + 1);
    long pid = 0;
    int pidAt = rest.lastIndexOf(",pid=");
    if (pidAt >= 0) {
      pid = Long.parseLong(rest.substring(pidAt + ",pid=".length()).trim());
      rest = rest.substring(0, pidAt);
    }
    return new CompareTarget(name, URI.create(rest), pid);
  }

  boolean isDirect() {
    return DIRECT.equals(name);
  }
}
