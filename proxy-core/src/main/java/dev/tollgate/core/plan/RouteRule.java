package dev.tollgate.core.plan;

import java.util.Objects;

/**
 * One route rule of a catalogue, e.g. {@code POST /ai/analyze/**}: how many units a matching request
 * counts, from which plan up it is allowed, and how long its response may be cached. Immutable; the
 * first rule that matches a request wins, so specific rules come before general ones.
 */
public final class RouteRule {

  private final String method;
  private final String pathGlob;
  private final int weight;
  private final String allowedFrom;
  private final int allowedFromTier;
  private final int cacheTtlSeconds;
  private final RouteAccess allowedAccess;
  private final RouteAccess deniedAccess;

  /**
   * @param method an HTTP method in upper case, or {@code *} for any
   * @param weight units one matching request counts against the included amount (0 = not counted)
   * @param allowedFrom the cheapest plan that may call the route, or null when every plan may
   * @param allowedFromTier the position of {@code allowedFrom} in its catalogue (ignored when null)
   * @param cacheTtlSeconds response cache TTL, 0 = not cached
   */
  public RouteRule(String method, String pathGlob, int weight, String allowedFrom, int allowedFromTier,
      int cacheTtlSeconds) {
    this.method = Objects.requireNonNull(method, "method");
    this.pathGlob = Glob.validate(pathGlob);
    if (weight < 0) {
      throw new IllegalArgumentException("weight: " + weight + " (expected: >= 0)");
    }
    if (cacheTtlSeconds < 0) {
      throw new IllegalArgumentException("cacheTtlSeconds: " + cacheTtlSeconds + " (expected: >= 0)");
    }
    this.weight = weight;
    this.allowedFrom = allowedFrom;
    this.allowedFromTier = allowedFrom == null ? 0 : allowedFromTier;
    this.cacheTtlSeconds = cacheTtlSeconds;
    this.allowedAccess = new RouteAccess(true, weight, cacheTtlSeconds, this, null);
    this.deniedAccess = new RouteAccess(false, weight, cacheTtlSeconds, this, allowedFrom);
  }

  /** True when this rule covers {@code method} and {@code path}; allocation-free. */
  public boolean matches(String method, String path) {
    return ("*".equals(this.method) || this.method.equals(method)) && Glob.matches(pathGlob, path);
  }

  /** The rule as written in YAML, e.g. {@code POST /ai/analyze/**}. */
  public String pattern() {
    return method + " " + pathGlob;
  }

  public String method() {
    return method;
  }

  public String pathGlob() {
    return pathGlob;
  }

  public int weight() {
    return weight;
  }

  /** The cheapest plan allowed to call the route, or null when all are. */
  public String allowedFrom() {
    return allowedFrom;
  }

  public int allowedFromTier() {
    return allowedFromTier;
  }

  public int cacheTtlSeconds() {
    return cacheTtlSeconds;
  }

  RouteAccess access(int planTier) {
    return allowedFrom == null || planTier >= allowedFromTier ? allowedAccess : deniedAccess;
  }

  @Override
  public String toString() {
    return pattern() + " weight=" + weight + (allowedFrom == null ? "" : " from=" + allowedFrom)
        + " cacheTtlSeconds=" + cacheTtlSeconds;
  }
}
