package dev.tollgate.bench.load;

/** Why a request did not count as a success. */
public enum ErrorKind {
  /** The connection could not be opened. */
  CONNECT,
  /** No complete response within the configured timeout. */
  TIMEOUT,
  /** A response with a 4xx status. */
  STATUS_4XX,
  /** A response with a 5xx status. */
  STATUS_5XX,
  /** The connection closed or reset while a request was in flight. */
  RESET
}
