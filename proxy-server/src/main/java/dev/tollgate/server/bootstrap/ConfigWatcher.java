package dev.tollgate.server.bootstrap;

import dev.tollgate.core.config.ConfigHolder;
import dev.tollgate.core.config.GatewayConfig;
import dev.tollgate.server.config.ConfigException;
import dev.tollgate.server.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the config file when it changes (file watch) or on demand (SIGHUP): a whole new tree is
 * loaded and validated, then swapped in; an invalid file is logged and the old config stays.
 * Settings that cannot change at runtime (ports, threads, TLS, store) are reported and ignored.
 */
final class ConfigWatcher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);

  private final Path file;
  private final ConfigLoader loader;
  private final ConfigHolder holder;
  private final WatchService watcher;
  private final Thread thread;

  ConfigWatcher(Path file, ConfigLoader loader, ConfigHolder holder) throws IOException {
    this.file = file.toAbsolutePath();
    this.loader = loader;
    this.holder = holder;
    this.watcher = FileSystems.getDefault().newWatchService();
    this.file.getParent().register(watcher, StandardWatchEventKinds.ENTRY_MODIFY,
        StandardWatchEventKinds.ENTRY_CREATE);
    this.thread = new Thread(this::watch, "tollgate-config-watch");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Loads the file again and swaps it in if valid. Returns true when the new config was applied. */
  synchronized boolean reload() {
    GatewayConfig next;
    try {
      next = loader.load(file);
    } catch (ConfigException e) {
      log.error("config reload refused, keeping the running config: {}", e.getMessage());
      return false;
    }
    GatewayConfig current = holder.current();
    if (next.equals(current)) {
      return false;
    }
    if (!next.server().host().equals(current.server().host()) || next.server().port() != current.server().port()
        || next.server().ioThreads() != current.server().ioThreads() || !next.server().tls().equals(current.server().tls())
        || !next.admin().host().equals(current.admin().host()) || next.admin().port() != current.admin().port()
        || !next.store().equals(current.store())) {
      log.warn("config reload: listener, thread, TLS and store settings change only on restart; ignored until then");
    }
    holder.swap(next);
    log.info("config reloaded from {}", file);
    return true;
  }

  private void watch() {
    try {
      while (true) {
        WatchKey key = watcher.take();
        boolean ours = key.pollEvents().stream()
            .anyMatch(e -> e.context() instanceof Path p && file.getFileName().equals(p));
        key.reset();
        if (ours) {
          Thread.sleep(50); // let the writer finish
          reload();
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closing
    }
  }

  @Override
  public void close() throws IOException {
    watcher.close();
    thread.interrupt();
  }
}
