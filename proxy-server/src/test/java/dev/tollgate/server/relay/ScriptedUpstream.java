package dev.tollgate.server.relay;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider written on a raw socket, for what WireMock cannot do: SSE events written one by one with
 * pauses between them, a connection dropped halfway through a chunked body, and noticing when the
 * gateway closes its side. Each accepted connection reads a request and runs the {@link Script}, then
 * closes, or reads the next request if the script called {@link Exchange#keepAlive()}.
 */
final class ScriptedUpstream implements AutoCloseable {

  /** What the provider does with one connection once the request has been read. */
  @FunctionalInterface
  interface Script {
    void run(Exchange exchange) throws IOException, InterruptedException;
  }

  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "scripted-upstream");
    t.setDaemon(true);
    return t;
  });
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private volatile Script script;

  ScriptedUpstream() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(this::acceptLoop);
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** The script for connections accepted from now on. */
  void script(Script next) {
    script = next;
  }

  int requests() {
    return requests.get();
  }

  /** Connections accepted so far. */
  int connections() {
    return connections.get();
  }

  /** Threads for a script's background watchers; stopped on {@link #close()}. */
  ExecutorService threads() {
    return threads;
  }

  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        threads.execute(() -> serve(socket));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    connections.incrementAndGet();
    try (socket) {
      Exchange exchange = new Exchange(socket);
      do {
        exchange.keepAlive = false;
        exchange.readRequest();
        requests.incrementAndGet();
        script.run(exchange);
      } while (exchange.keepAlive);
    } catch (IOException | InterruptedException e) {
      // the gateway went away mid-script: what the tests look at is recorded on the Exchange
    }
  }

  /** One connection: the request read, helpers to write a chunked SSE response, and EOF detection. */
  static final class Exchange {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final CountDownLatch peerClosed = new CountDownLatch(1);
    private String head;
    private String body;
    private boolean keepAlive;

    Exchange(Socket socket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.out = socket.getOutputStream();
    }

    /** Keeps the connection open for another request once the script returns (else it is closed). */
    void keepAlive() {
      keepAlive = true;
    }

    String head() {
      return head;
    }

    String body() {
      return body;
    }

    void writeSseHead() throws IOException {
      write("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n");
    }

    /** Writes {@code bytes} exactly as given (a whole response head and body, for instance) and flushes. */
    void writeRaw(String bytes) throws IOException {
      out.write(bytes.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    /** Writes {@code event} as one chunk and flushes it. */
    void writeChunk(String event) throws IOException {
      byte[] bytes = event.getBytes(StandardCharsets.UTF_8);
      write(Integer.toHexString(bytes.length) + "\r\n");
      out.write(bytes);
      write("\r\n");
      out.flush();
    }

    void writeLastChunk() throws IOException {
      write("0\r\n\r\n");
      out.flush();
    }

    /** Drops the connection at once, with a reset instead of an orderly close. */
    void reset() throws IOException {
      socket.setSoLinger(true, 0);
      socket.close();
    }

    /** Starts watching for the gateway closing its side (EOF or reset on read). */
    void watchForPeerClose(ExecutorService threads) {
      threads.execute(() -> {
        try {
          while (in.read() >= 0) {
            // a well-behaved gateway sends nothing more on this connection
          }
        } catch (IOException e) {
          // reset by the gateway counts as closed too
        }
        peerClosed.countDown();
      });
    }

    boolean awaitPeerClosed(long timeoutMillis) throws InterruptedException {
      return peerClosed.await(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    private void write(String ascii) throws IOException {
      out.write(ascii.getBytes(StandardCharsets.US_ASCII));
    }

    private void readRequest() throws IOException {
      ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
      int matched = 0;
      while (matched < 4) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("connection closed before the request head ended");
        }
        headBytes.write(b);
        matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
      }
      head = headBytes.toString(StandardCharsets.US_ASCII);
      int length = 0;
      for (String line : head.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).trim());
        }
      }
      body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
  }
}
