package dev.tollgate.bench.load;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * One workload: where to send (URL), what (headers, body), how hard (open loop at {@code ratePerSecond}, or
 * closed loop when it is 0) over how many keep-alive connections, and for how long. Immutable.
 *
 * @param url             {@code http://host:port/path?query}
 * @param headers         extra request headers, name to value (for example {@code authorization})
 * @param body            the request body, sent as {@code application/json}
 * @param stream          whether responses are expected to be SSE (reports time to first byte)
 * @param ratePerSecond   open-loop arrival rate over all connections; 0 means closed loop
 * @param connections     keep-alive connections, each with at most one request in flight
 * @param duration        measured time, after the warmup
 * @param warmup          time run at the same load before measuring
 * @param timeout         a request not complete after this is counted as a timeout and its connection reset
 * @param stamp           streams only: ask the upstream (the bench mock) for a send-time stamp before the first
 *                        event ({@value #STAMP_HEADER}{@code : 1}) and measure the first byte's relay delay
 */
public record LoadConfig(URI url, Map<String, String> headers, byte[] body, boolean stream, double ratePerSecond,
    int connections, Duration duration, Duration warmup, Duration timeout, boolean stamp) {

  /** The request header that asks the mock for the stamp; the same name as {@code MockUpstream.STAMP_HEADER}. */
  public static final String STAMP_HEADER = "x-mock-stamp";

  public LoadConfig {
    requireNonNull(url, "url");
    requireNonNull(body, "body");
    requireNonNull(duration, "duration");
    requireNonNull(warmup, "warmup");
    requireNonNull(timeout, "timeout");
    headers = Map.copyOf(requireNonNull(headers, "headers"));
    if (!"http".equals(url.getScheme()) || url.getHost() == null) {
      throw new IllegalArgumentException("url: " + url + " (expected: http://host[:port]/path)");
    }
    if (ratePerSecond < 0 || Double.isNaN(ratePerSecond)) {
      throw new IllegalArgumentException("ratePerSecond: " + ratePerSecond + " (expected: >= 0)");
    }
    if (connections < 1) {
      throw new IllegalArgumentException("connections: " + connections + " (expected: > 0)");
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration: " + duration + " (expected: > 0)");
    }
    if (warmup.isNegative()) {
      throw new IllegalArgumentException("warmup: " + warmup + " (expected: >= 0)");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
    }
    if (stamp && !stream) {
      throw new IllegalArgumentException("stamp: true (expected: only with stream)");
    }
  }

  /** A workload without stamps. */
  public LoadConfig(URI url, Map<String, String> headers, byte[] body, boolean stream, double ratePerSecond,
      int connections, Duration duration, Duration warmup, Duration timeout) {
    this(url, headers, body, stream, ratePerSecond, connections, duration, warmup, timeout, false);
  }

  /** The default body for the URL's API (OpenAI chat or Anthropic messages), streaming or not. */
  public static byte[] defaultBody(URI url, boolean stream) {
    String path = url.getPath() == null ? "" : url.getPath();
    String json;
    if (path.endsWith("/messages")) {
      json = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]"
          + (stream ? ",\"stream\":true" : "") + "}";
    } else {
      json = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]"
          + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "") + "}";
    }
    return json.getBytes(StandardCharsets.UTF_8);
  }

  /** The same workload against another URL. */
  public LoadConfig withUrl(URI otherUrl) {
    return new LoadConfig(otherUrl, headers, body, stream, ratePerSecond, connections, duration, warmup, timeout,
        stamp);
  }

  /** True when requests are sent on a schedule rather than back to back. */
  public boolean openLoop() {
    return ratePerSecond > 0;
  }

  int port() {
    return url.getPort() > 0 ? url.getPort() : 80;
  }

  String pathAndQuery() {
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    return url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
  }

  /** Header names only: values may hold API keys. */
  @Override
  public String toString() {
    return "LoadConfig[url=" + url + ", headers=" + headers.keySet() + ", bodyBytes=" + body.length + ", stream="
        + stream + ", ratePerSecond=" + ratePerSecond + ", connections=" + connections + ", duration=" + duration
        + ", warmup=" + warmup + ", timeout=" + timeout + ", stamp=" + stamp + "]";
  }

  /** Record equality would compare the body by identity; compare contents instead. */
  @Override
  public boolean equals(Object o) {
    return o instanceof LoadConfig other && url.equals(other.url) && headers.equals(other.headers)
        && java.util.Arrays.equals(body, other.body) && stream == other.stream
        && Double.compare(ratePerSecond, other.ratePerSecond) == 0 && connections == other.connections
        && duration.equals(other.duration) && warmup.equals(other.warmup) && timeout.equals(other.timeout)
        && stamp == other.stamp;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(url, headers, java.util.Arrays.hashCode(body), stream, ratePerSecond,
        connections, duration, warmup, timeout, stamp);
  }

}
