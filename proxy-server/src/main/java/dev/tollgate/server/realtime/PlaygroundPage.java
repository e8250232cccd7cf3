package dev.tollgate.server.realtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Loads the static {@code /playground} page shipped in proxy-server's resources. */
public final class PlaygroundPage {

  static final String RESOURCE = "/playground/index.html";

  private PlaygroundPage() {
  }

  /** The page's bytes, or null when the resource is missing (then /playground answers 404). */
  public static byte[] load() {
    try (InputStream in = PlaygroundPage.class.getResourceAsStream(RESOURCE)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }
}
