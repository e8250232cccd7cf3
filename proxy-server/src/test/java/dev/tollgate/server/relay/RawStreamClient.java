package dev.tollgate.server.relay;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * A streaming chat client on a raw socket, for relay tests the JDK client cannot express: one that stops
 * reading (backpressure) or leaves mid-stream. Static helpers only.
 */
final class RawStreamClient {

  private RawStreamClient() {
  }

  /** Sends {@code POST /v1/chat/completions} with {@code body} and the gateway key {@code key}. */
  static void postChat(Socket client, String key, String body) throws IOException {
    OutputStream out = client.getOutputStream();
    out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key
        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
        .getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** The first {@code data:} line of the response, or null if it ends first. */
  static String firstDataLine(InputStream in) throws IOException {
    BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    String line;
    do {
      line = lines.readLine();
    } while (line != null && !line.startsWith("data:"));
    return line;
  }

  /** Reads the raw response until the {@code [DONE]} event has arrived; returns the bytes read. */
  static long readUntilDone(InputStream in) throws IOException {
    byte[] marker = "[DONE]".getBytes(StandardCharsets.US_ASCII);
    byte[] buffer = new byte[64 * 1024];
    long total = 0;
    int matched = 0;
    int n;
    while ((n = in.read(buffer)) >= 0) {
      total += n;
      for (int i = 0; i < n; i++) {
        matched = buffer[i] == marker[matched] ? matched + 1 : (buffer[i] == marker[0] ? 1 : 0);
        if (matched == marker.length) {
          return total;
        }
      }
    }
    throw new IOException("stream ended after " + total + " bytes without [DONE]");
  }

  /**
   * Waits until the provider's {@code written} bytes stop growing for half a second, or {@code finished}
   * (the provider wrote everything), or 10 s; returns the last count.
   */
  static long awaitStall(LongSupplier written, BooleanSupplier finished) throws InterruptedException {
    long last = -1;
    int stablePolls = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (stablePolls < 5 && !finished.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(100);
      long now = written.getAsLong();
      stablePolls = now == last ? stablePolls + 1 : 0;
      last = now;
    }
    return last;
  }
}
