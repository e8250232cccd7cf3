package dev.tollgate.server.relay;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The {@code data:} lines of an SSE body as the client read them, and when the first one arrived. */
record ArrivingEvents(List<String> events, long firstArrivalNanos) {

  /** Reads {@code body} to its end. */
  static ArrivingEvents read(InputStream body) throws IOException {
    List<String> events = new ArrayList<>();
    long firstArrivalNanos = 0;
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.startsWith("data:")) {
          if (events.isEmpty()) {
            firstArrivalNanos = System.nanoTime();
          }
          events.add(line);
        }
      }
    }
    return new ArrivingEvents(events, firstArrivalNanos);
  }
}
