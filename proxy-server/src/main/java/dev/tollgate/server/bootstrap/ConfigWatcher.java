package dev.tollgate.server.bootstrap;

import dev.tollgate.core.config.ConfigHolder;
import dev.tollgate.core.config.GatewayConfig;
import dev.tollgate.core.plan.PlanCatalogue;
import dev.tollgate.core.plan.PlanCatalogueLoader;
import dev.tollgate.core.pricing.ModelPriceTable;
import dev.tollgate.core.store.TenantRecord;
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
 * loaded and validated (with the plan catalogue and price table it names, and every tenant's plan
 * still defined), then swapped in; an invalid file is logged and the old config stays.
 * Settings that cannot change at runtime (ports, threads, TLS, store) are reported and ignored.
 */
final class ConfigWatcher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);

  private final Path file;
  private final ConfigLoader loader;
  private final ConfigHolder holder;
  private final GatewayServer server;
  private final WatchService watcher;
  private final Thread thread;

  ConfigWatcher(Path file, ConfigLoader loader, ConfigHolder holder, GatewayServer server) throws IOException {
    this.file = file.toAbsolutePath();
    this.loader = loader;
    this.holder = holder;
    this.server = server;
    this.watcher = FileSystems.getDefault().newWatchService();
    this.file.getParent().register(watcher, StandardWatchEventKinds.ENTRY_MODIFY,
        StandardWatchEventKinds.ENTRY_CREATE);
    Path catalogue = Path.of(holder.current().plans().catalogueFile()).toAbsolutePath();
    if (!catalogue.getParent().equals(this.file.getParent())) {
      catalogue.getParent().register(watcher, StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_CREATE);
    }
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
    PlanCatalogue catalogue;
    ModelPriceTable prices;
    try {
      catalogue = new PlanCatalogueLoader().load(Path.of(next.plans().catalogueFile()));
      prices = ModelPriceTable.load(Path.of(next.pricing().modelsFile()));
      String orphan = tenantWithoutPlan(catalogue);
      if (orphan != null) {
        log.error("config reload refused, keeping the running config: {}", orphan);
        return false;
      }
    } catch (RuntimeException e) {
      log.error("config reload refused, keeping the running config: {}", e.getMessage());
      return false;
    }
    boolean catalogueChanged = !catalogue.equals(server.plans().current());
    server.plans().swap(catalogue);
    server.admission().prices(prices);
    if (next.equals(current)) {
      if (catalogueChanged) {
        log.info("plan catalogue reloaded from {}", next.plans().catalogueFile());
      }
      return catalogueChanged;
    }
    if (!next.server().host().equals(current.server().host()) || next.server().port() != current.server().port()
        || next.server().ioThreads() != current.server().ioThreads()
        || !next.server().transport().equals(current.server().transport()) || !next.server().tls().equals(current.server().tls())
        || !next.admin().host().equals(current.admin().host()) || next.admin().port() != current.admin().port()
        || !next.store().equals(current.store())) {
      log.warn("config reload: listener, thread, TLS and store settings change only on restart; ignored until then");
    }
    holder.swap(next);
    if (!next.vault().equals(current.vault())) {
      server.useKeks(next.vault());
    }
    log.info("config reloaded from {}", file);
    return true;
  }

  private String tenantWithoutPlan(PlanCatalogue catalogue) {
    for (TenantRecord tenant : server.store().tenants()) {
      if (catalogue.plan(tenant.plan()).isEmpty()) {
        return "tenant '" + tenant.id() + "' is on plan '" + tenant.plan() + "', which catalogue '"
            + catalogue.name() + "' does not define";
      }
    }
    return null;
  }

  private void watch() {
    try {
      while (true) {
        WatchKey key = watcher.take();
        boolean ours = key.pollEvents().stream()
            .anyMatch(e -> e.context() instanceof Path p && (file.getFileName().equals(p)
                || Path.of(holder.current().plans().catalogueFile()).getFileName().equals(p)));
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
