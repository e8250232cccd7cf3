package dev.tollgate.core.config;

import java.util.Objects;
import java.util.Set;

/**
 * The client-facing listener. {@code host}, {@code port}, {@code ioThreads}, {@code transport} and
 * {@code tls} cannot be hot-swapped: a reload that changes them is logged and ignored until restart.
 */
public record ServerConfig(
    String host,
    int port,
    int ioThreads,
    String transport,
    TlsConfig tls,
    long idleTimeoutMillis,
    long shutdownGraceMillis,
    int maxInitialLineBytes,
    int maxHeaderBytes,
    int maxBodyBytes,
    int writeBufferLowBytes,
    int writeBufferHighBytes) {

  /** The socket transports {@code server.transport} may name. */
  private static final Set<String> TRANSPORTS = Set.of("auto", "epoll", "io_uring", "nio");

  public ServerConfig {
    Checks.notBlank("server.host", host);
    Checks.port("server.port", port);
    Checks.nonNegative("server.ioThreads", ioThreads);
    if (!TRANSPORTS.contains(transport)) {
      throw new IllegalArgumentException(
          "server.transport: " + transport + " (expected: auto, epoll, io_uring or nio)");
    }
    Objects.requireNonNull(tls, "server.tls");
    Checks.positive("server.idleTimeoutMillis", idleTimeoutMillis);
    Checks.nonNegative("server.shutdownGraceMillis", shutdownGraceMillis);
    Checks.positive("server.maxInitialLineBytes", maxInitialLineBytes);
    Checks.positive("server.maxHeaderBytes", maxHeaderBytes);
    Checks.positive("server.maxBodyBytes", maxBodyBytes);
    Checks.positive("server.writeBufferLowBytes", writeBufferLowBytes);
    if (writeBufferHighBytes <= writeBufferLowBytes) {
      throw new IllegalArgumentException("server.writeBufferHighBytes: " + writeBufferHighBytes
          + " (expected: > writeBufferLowBytes " + writeBufferLowBytes + ")");
    }
  }

  /** TLS for the client-facing listener: PEM certificate chain and PKCS#8 private key files. */
  public record TlsConfig(boolean enabled, String certFile, String keyFile) {
    public TlsConfig {
      if (enabled) {
        Checks.notBlank("server.tls.certFile", certFile);
        Checks.notBlank("server.tls.keyFile", keyFile);
      }
    }
  }
}
