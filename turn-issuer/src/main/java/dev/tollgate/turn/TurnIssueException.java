package dev.tollgate.turn;

/**
 * Minting TURN credentials failed (upstream refused, timed out or answered garbage). The message is
 * operator-facing and never contains a secret or API token; {@link #httpStatus()} is 0 when no HTTP
 * response was received.
 */
public final class TurnIssueException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int httpStatus;

    public TurnIssueException(String message, int httpStatus, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
    }

    public TurnIssueException(String message, int httpStatus) {
        this(message, httpStatus, null);
    }

    /** The upstream HTTP status, or 0 if the failure happened before a response (timeout, connect error). */
    public int httpStatus() {
        return httpStatus;
    }
}
