package dev.tollgate.core.error;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The catalogue of every error the gateway itself answers with: status, the stable OpenAI-style
 * {@code type}/{@code code}, the Anthropic error type, and a client-safe message. Written only by
 * {@link ErrorResponses}; the detailed reason goes to logs, never to the client.
 */
public enum GatewayError {
  BAD_REQUEST(400, "invalid_request_error", "bad_request", "invalid_request_error",
      "The request is malformed."),
  REQUEST_SMUGGLING(400, "invalid_request_error", "ambiguous_framing", "invalid_request_error",
      "The request carries both Content-Length and Transfer-Encoding."),
  UNAUTHENTICATED(401, "invalid_request_error", "invalid_api_key", "authentication_error",
      "Missing or invalid API key."),
  PROVIDER_KEY_MISSING(403, "invalid_request_error", "provider_key_missing", "permission_error",
      "No provider key is configured for this tenant and provider."),
  PLAN_FORBIDS_ROUTE(403, "invalid_request_error", "plan_forbids_route", "permission_error",
      "Your plan does not include this route."),
  NOT_FOUND(404, "invalid_request_error", "unknown_route", "not_found_error",
      "Unknown route."),
  METHOD_NOT_ALLOWED(405, "invalid_request_error", "method_not_allowed", "invalid_request_error",
      "Method not allowed on this route."),
  PAYLOAD_TOO_LARGE(413, "invalid_request_error", "payload_too_large", "request_too_large",
      "The request body is too large."),
  URI_TOO_LONG(414, "invalid_request_error", "uri_too_long", "invalid_request_error",
      "The request line is too long."),
  HEADERS_TOO_LARGE(431, "invalid_request_error", "headers_too_large", "invalid_request_error",
      "The request headers are too large."),
  RATE_LIMITED(429, "rate_limit_error", "rate_limit_exceeded", "rate_limit_error",
      "Rate limit exceeded."),
  QUOTA_EXCEEDED(429, "insufficient_quota", "quota_exceeded", "rate_limit_error",
      "Your plan's quota for this period is used up."),
  CONCURRENCY_EXCEEDED(429, "rate_limit_error", "concurrency_limit_exceeded", "rate_limit_error",
      "Too many concurrent requests."),
  INTERNAL(500, "server_error", "internal_error", "api_error",
      "The gateway failed to handle the request."),
  UPSTREAM_UNAVAILABLE(502, "server_error", "upstream_unavailable", "api_error",
      "The upstream provider could not be reached."),
  SHUTTING_DOWN(503, "server_error", "shutting_down", "overloaded_error",
      "The gateway is shutting down; retry on another node."),
  UPSTREAM_TIMEOUT(504, "server_error", "upstream_timeout", "timeout_error",
      "The upstream provider did not answer in time.");

  private final HttpResponseStatus status;
  private final String openAiType;
  private final String code;
  private final String anthropicType;
  private final String message;

  GatewayError(int status, String openAiType, String code, String anthropicType, String message) {
    this.status = HttpResponseStatus.valueOf(status);
    this.openAiType = openAiType;
    this.code = code;
    this.anthropicType = anthropicType;
    this.message = message;
  }

  public HttpResponseStatus status() {
    return status;
  }

  public String openAiType() {
    return openAiType;
  }

  public String code() {
    return code;
  }

  public String anthropicType() {
    return anthropicType;
  }

  public String message() {
    return message;
  }
}
