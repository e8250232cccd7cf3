package dev.tollgate.core.alert;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * Where a tenant's (or the operator's) alerts go, with the secret that signs them.
 * {@link #toString()} shows neither the URL (a Slack webhook URL is a credential) nor the secret.
 *
 * @param url the receiver, http or https
 * @param secret the HMAC-SHA256 key of {@code Tollgate-Signature}
 * @param slack true to send a Slack-compatible {@code {"text": ...}} body instead of the JSON event
 */
public record WebhookTarget(URI url, String secret, boolean slack) {

  public WebhookTarget {
    requireNonNull(url, "url");
    requireNonNull(secret, "secret");
    String scheme = url.getScheme();
    if (!"https".equalsIgnoreCase(scheme) && !"http".equalsIgnoreCase(scheme)) {
      throw new IllegalArgumentException("url: scheme " + scheme + " (expected: http or https)");
    }
    if (secret.isEmpty()) {
      throw new IllegalArgumentException("secret: empty (expected: a signing secret)");
    }
  }

  @Override
  public String toString() {
    return "WebhookTarget[host=" + url.getHost() + ", slack=" + slack + "]";
  }
}
