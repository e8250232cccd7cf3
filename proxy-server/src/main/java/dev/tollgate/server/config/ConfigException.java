package dev.tollgate.server.config;

/** A configuration file is unreadable or invalid; the message names the file and the key. */
public final class ConfigException extends Exception {

  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
