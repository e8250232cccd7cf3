package dev.tollgate.server.bootstrap;

import dev.tollgate.core.config.ConfigHolder;
import dev.tollgate.server.config.ConfigException;
import dev.tollgate.server.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point: {@code tollgate [--config FILE]}. Loads the config (exits with status 2 naming the file
 * and key if it is invalid), starts the gateway, reloads on file change or SIGHUP, and drains on
 * SIGTERM/SIGINT before exiting.
 */
public final class Main {

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) throws Exception {
    Path configFile = null;
    for (int i = 0; i < args.length; i++) {
      if ((args[i].equals("--config") || args[i].equals("-c")) && i + 1 < args.length) {
        configFile = Path.of(args[++i]);
      } else if (args[i].equals("--help") || args[i].equals("-h")) {
        System.out.println("usage: tollgate [--config FILE]");
        return;
      } else {
        System.err.println("unknown argument: " + args[i] + " (usage: tollgate [--config FILE])");
        System.exit(2);
      }
    }
    if (configFile != null && !Files.isRegularFile(configFile)) {
      System.err.println(configFile + ": no such file");
      System.exit(2);
    }
    ConfigLoader loader = new ConfigLoader();
    ConfigHolder holder;
    try {
      holder = new ConfigHolder(loader.load(configFile));
    } catch (ConfigException e) {
      System.err.println("invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    GatewayServer server;
    try {
      server = GatewayServer.start(holder);
    } catch (RuntimeException e) {
      // an invalid plan catalogue or price table names its file and key
      System.err.println("invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    ConfigWatcher watcher = configFile == null ? null : new ConfigWatcher(configFile, loader, holder, server);
    if (watcher != null) {
      installSighup(watcher);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("shutting down: draining in-flight requests");
      try {
        if (watcher != null) {
          watcher.close();
        }
      } catch (Exception e) {
        log.debug("watcher close: {}", e.toString());
      }
      server.close();
      log.info("stopped");
      stopped.countDown();
    }, "tollgate-shutdown"));
    stopped.await();
  }

  @SuppressWarnings("restriction")
  private static void installSighup(ConfigWatcher watcher) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> watcher.reload());
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      log.info("SIGHUP reload unavailable on this platform; the file watch still reloads");
    }
  }
}
