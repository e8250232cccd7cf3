package dev.tollgate.server.bootstrap;

import dev.tollgate.core.audit.AuditChain;
import dev.tollgate.core.audit.AuditLog;
import dev.tollgate.core.auth.ApiKeyVerifier;
import dev.tollgate.core.alert.AlertTargets;
import dev.tollgate.core.alert.MarginAlert;
import dev.tollgate.core.alert.RetryPolicy;
import dev.tollgate.core.alert.SqliteAlertStore;
import dev.tollgate.core.alert.ThresholdTracker;
import dev.tollgate.core.alert.WebhookSender;
import dev.tollgate.core.cache.ResponseCache;
import dev.tollgate.core.ledger.LedgerConfig;
import dev.tollgate.core.ledger.UsageAggregator;
import dev.tollgate.core.ledger.UsageLedger;
import dev.tollgate.server.metering.AlertMonitor;
import java.net.http.HttpClient;
import java.time.Duration;
import dev.tollgate.core.config.VaultConfig;
import dev.tollgate.core.store.SqliteAuditStore;
import dev.tollgate.core.store.SqliteVaultStore;
import dev.tollgate.core.upstream.ProviderKeyResolver;
import dev.tollgate.core.vault.Kek;
import dev.tollgate.core.vault.KekRing;
import dev.tollgate.core.vault.Vault;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import dev.tollgate.core.auth.JwtAuthenticator;
import dev.tollgate.core.auth.TenantDirectory;
import dev.tollgate.core.pipeline.GatewayServices;
import dev.tollgate.core.plan.PlanCatalogue;
import dev.tollgate.core.plan.PlanCatalogueHolder;
import dev.tollgate.core.plan.PlanCatalogueLoader;
import dev.tollgate.core.config.ConfigHolder;
import dev.tollgate.core.config.GatewayConfig;
import dev.tollgate.core.config.ServerConfig;
import dev.tollgate.core.metrics.GatewayMetrics;
import dev.tollgate.core.metrics.MetricsUsageSink;
import dev.tollgate.core.pipeline.GatewayPipeline;
import dev.tollgate.core.store.SqliteStateStore;
import dev.tollgate.core.store.StateStore;
import dev.tollgate.core.usage.UsageSink;
import dev.tollgate.server.admin.AdminApiHandler;
import dev.tollgate.server.admin.JwtAdminRoutes;
import io.micrometer.core.instrument.Gauge;
import dev.tollgate.core.realtime.RealtimeServices;
import dev.tollgate.server.realtime.PlaygroundPage;
import dev.tollgate.server.realtime.TurnIssuerSource;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Boots the gateway: transport ({@link Transport}: native epoll when available by default), the embedded store, the
 * data-plane listener with {@link GatewayPipeline}, and the admin/ops listener. {@link #close} drains:
 * it stops accepting, lets in-flight requests and streams finish within the grace period, then closes.
 */
public final class GatewayServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);
  /** Threads that verify JWTs (and fetch JWK sets) off the event loops; not hot-swappable. */
  private static final int JWT_VERIFY_THREADS = 2;
  /** On io_uring, how long the event loops must have been idle before they stop, on close. */
  private static final long IO_URING_QUIET_MILLIS = 50;
  /** How long close waits for an event loop group to stop. */
  private static final long LOOP_STOP_WAIT_MILLIS = 10_000;

  private final ConfigHolder config;
  private final GatewayMetrics metrics;
  private final StateStore store;
  private final ApiKeyVerifier verifier;
  private final JwtAuthenticator jwtAuthenticator;
  private final GatewayPipeline pipeline;
  private final PlanCatalogueHolder plans;
  private final Admission admission;
  private final TenantDirectory tenants;
  private final SqliteAuditStore auditStore;
  private final AuditLog audit;
  private final SqliteVaultStore vaultStore;
  private final AtomicReference<Vault> vault = new AtomicReference<>();
  private final ProviderKeyResolver providerKeys;
  private final UsageAggregator aggregator;
  private final UsageLedger usageLedger;
  private final AlertTargets alertTargets;
  private final AlertMonitor alertMonitor;
  private final ResponseCache responseCache = new ResponseCache(RESPONSE_CACHE_BYTES);
  /** The response cache's memory budget. */
  private static final long RESPONSE_CACHE_BYTES = 64L << 20;
  /** Completes provider calls of POST /session (the JDK HTTP client's executor), never an event loop. */
  private final java.util.concurrent.ExecutorService realtimeExecutor =
      java.util.concurrent.Executors.newFixedThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "tollgate-realtime");
        thread.setDaemon(true);
        return thread;
      });
  private final EventLoopGroup bossGroup;
  private final EventLoopGroup workerGroup;
  private final ChannelGroup serverChannels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final ChannelGroup clientChannels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final Class<? extends ServerSocketChannel> serverChannelClass;
  private final String transportName;
  private int port;
  private int adminPort;

  private GatewayServer(ConfigHolder config, PlanCatalogueHolder plans) throws IOException {
    this.config = config;
    this.plans = plans;
    GatewayConfig current = config.current();
    Transport transport = Transport.choose(current.server().transport());
    IoHandlerFactory io = transport.ioHandlers();
    this.serverChannelClass = transport.serverChannel();
    this.transportName = transport.name();
    this.bossGroup = new MultiThreadIoEventLoopGroup(1, io);
    // 0 = one loop per core, as documented (Netty's own default of 0 would be two per core)
    int ioThreads = current.server().ioThreads() > 0 ? current.server().ioThreads()
        : Runtime.getRuntime().availableProcessors();
    this.workerGroup = new MultiThreadIoEventLoopGroup(ioThreads, io);
    this.metrics = new GatewayMetrics();
    SqliteStateStore sqlite = SqliteStateStore.open(Path.of(current.store().dataDir()));
    this.store = sqlite;
    this.auditStore = new SqliteAuditStore(sqlite);
    this.audit = new AuditLog(new AuditChain(auditStore, Clock.systemUTC()), sqlite.executor(), Clock.systemUTC());
    this.vaultStore = new SqliteVaultStore(sqlite);
    this.vault.set(openVault(current.vault(), vaultStore));
    this.providerKeys = new ProviderKeyResolver(vault::get, audit, sqlite.executor(),
        current.vault().keyCacheTtlMillis(), current.vault().keyCacheMaxEntries());
    this.verifier = new ApiKeyVerifier(store, current.auth());
    this.jwtAuthenticator = new JwtAuthenticator(store, JWT_VERIFY_THREADS, current.auth().keyCacheRefreshMillis());
    this.admission = Admission.create(current, store, plans);
    this.aggregator = UsageAggregator.open(sqlite, admission.prices(),
        LedgerConfig.defaults(Path.of(current.store().dataDir()))
            .withFlushIntervalMillis(current.metering().flushIntervalMillis())
            .withFsyncEachBatch(current.metering().fsyncEachBatch()));
    this.usageLedger = new UsageLedger(sqlite);
    this.alertTargets = new AlertTargets(sqlite);
    UsageSink usageSink = UsageSink.of(new MetricsUsageSink(metrics), aggregator);
    SqliteAlertStore alertStore = new SqliteAlertStore(sqlite);
    Clock clock = Clock.systemUTC();
    this.alertMonitor = new AlertMonitor(config, store, admission.resolver(), admission.ledgers().requests(),
        usageLedger, alertTargets, new ThresholdTracker(alertStore, clock), new MarginAlert(alertStore, clock),
        new WebhookSender(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), alertStore,
            sqlite.executor(), RetryPolicy.DEFAULT, clock), clock);
    this.tenants = new TenantDirectory(store, current.auth().keyCacheRefreshMillis());
    RealtimeServices realtime = RealtimeServices.create(current.realtime(),
        TurnIssuerSource.create(current.turn(), metrics.registry(), Clock.systemUTC()), PlaygroundPage.load(),
        metrics.registry(), realtimeExecutor, Clock.systemUTC(),
        providerHttpTls(current.upstream().trustCertFile()));
    GatewayServices services = new GatewayServices(config, metrics, usageSink, verifier, jwtAuthenticator, tenants,
        admission.resolver(), admission.rateLimiter(), admission.ledgers(), admission.inFlight(),
        providerKeys, audit, responseCache, serverTls(current.server()),
        upstreamTls(current.upstream().trustCertFile()), realtime);
    this.pipeline = new GatewayPipeline(services, transport.socketChannel());
    log.info("transport: {}, {} event loops", transport.name(), ioThreads);
    Gauge.builder("tollgate_store_writes", store, StateStore::writeCount)
        .description("State-changing statements committed by the embedded store since start")
        .register(metrics.registry());
    Gauge.builder("tollgate_usage_journal_forces", aggregator,
            a -> a.journal().forceCount())
        .description("fsyncs of the usage journal since start (group commit)").register(metrics.registry());
    long alertEvery = current.metering().alertCheckIntervalMillis();
    bossGroup.next().scheduleWithFixedDelay(() -> store.executor().execute(alertMonitor::checkAll),
        alertEvery, alertEvery, TimeUnit.MILLISECONDS);
    bossGroup.next().scheduleAtFixedRate(audit::flushSuppressed, 60, 60, TimeUnit.SECONDS);
  }

  /** Starts both listeners with the plan catalogue the config names; blocking until they are bound. */
  public static GatewayServer start(ConfigHolder config) throws IOException, InterruptedException {
    PlanCatalogue catalogue = new PlanCatalogueLoader().load(Path.of(config.current().plans().catalogueFile()));
    return start(config, new PlanCatalogueHolder(catalogue));
  }

  /** Starts both listeners; blocking until they are bound. */
  public static GatewayServer start(ConfigHolder config, PlanCatalogueHolder plans)
      throws IOException, InterruptedException {
    GatewayServer server = new GatewayServer(config, plans);
    try {
      server.bind();
    } catch (InterruptedException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void bind() throws InterruptedException {
    GatewayConfig current = config.current();
    ServerConfig s = current.server();
    Channel data = new ServerBootstrap()
        .group(bossGroup, workerGroup)
        .channel(serverChannelClass)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            clientChannels.add(ch);
            ch.pipeline().addLast(pipeline);
          }
        })
        .bind(s.host(), s.port()).sync().channel();
    serverChannels.add(data);
    port = ((InetSocketAddress) data.localAddress()).getPort();
    Channel admin = new ServerBootstrap()
        .group(bossGroup, workerGroup)
        .channel(serverChannelClass)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast("codec", new HttpServerCodec());
            ch.pipeline().addLast("aggregator", new HttpObjectAggregator(1 << 20));
            ch.pipeline().addLast("admin", new AdminApiHandler(config, store, verifier, metrics, tenants,
                admission.ledgers(), admission.inFlight(), vault::get, providerKeys, auditStore, audit,
                new JwtAdminRoutes(store, jwtAuthenticator)).withMetering(usageLedger, alertTargets));
          }
        })
        .bind(current.admin().host(), current.admin().port()).sync().channel();
    serverChannels.add(admin);
    adminPort = ((InetSocketAddress) admin.localAddress()).getPort();
    log.info("listening on {}:{} (admin and ops on {}:{})", s.host(), port, current.admin().host(), adminPort);
    if (!current.admin().tokenConfigured()) {
      log.warn("TOLLGATE_ADMIN_TOKEN is not set: the admin API refuses every call");
    }
  }

  /**
   * Stops an event loop group and waits a bounded time: a loop that never finishes (Netty's io_uring
   * transport has been seen waiting forever for a completion while it shut down) is logged and left
   * behind, so that close, and the process on SIGTERM, still end.
   */
  static boolean stopLoops(EventLoopGroup group, long quietMillis, long waitMillis) {
    if (!group.shutdownGracefully(quietMillis, 2_000, TimeUnit.MILLISECONDS).awaitUninterruptibly(waitMillis)) {
      log.warn("event loops still running {} ms after shutdown; closing without them", waitMillis);
      return false;
    }
    return true;
  }

  public int port() {
    return port;
  }

  /** The socket transport the event loops run on: io_uring, epoll or nio. */
  public String transport() {
    return transportName;
  }

  public int adminPort() {
    return adminPort;
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  public StateStore store() {
    return store;
  }

  public Admission admission() {
    return admission;
  }

  public PlanCatalogueHolder plans() {
    return plans;
  }

  public TenantDirectory tenants() {
    return tenants;
  }

  /** The vault, or null when no KEK is configured. */
  public Vault vault() {
    return vault.get();
  }

  public UsageAggregator aggregator() {
    return aggregator;
  }

  public UsageLedger usageLedger() {
    return usageLedger;
  }

  public AlertMonitor alertMonitor() {
    return alertMonitor;
  }

  public AuditLog audit() {
    return audit;
  }

  public ProviderKeyResolver providerKeys() {
    return providerKeys;
  }

  /** Applies a reloaded KEK list: a new newest KEK wraps from now on; every listed KEK unwraps. */
  void useKeks(VaultConfig config) {
    Vault current = vault.get();
    if (config.configuredKeks().isEmpty()) {
      return; // turning the vault off at runtime would strand tenants' secrets; needs a restart
    }
    KekRing ring = kekRing(config);
    if (current == null) {
      vault.set(new Vault(vaultStore, ring));
    } else {
      current.useKeks(ring);
    }
    providerKeys.invalidateAll();
  }

  private static Vault openVault(VaultConfig config, SqliteVaultStore store) {
    if (config.configuredKeks().isEmpty()) {
      log.info("vault: off (no key-encryption key configured); tenants use the operator's provider keys");
      return null;
    }
    KekRing ring = kekRing(config);
    log.info("vault: on, newest KEK '{}', {} KEK(s) configured", config.configuredKeks().get(0).id(),
        config.configuredKeks().size());
    return new Vault(store, ring);
  }

  private static KekRing kekRing(VaultConfig config) {
    List<Kek> keks = new ArrayList<>();
    for (VaultConfig.KekConfig kek : config.configuredKeks()) {
      keks.add(kek.key().isEmpty() ? Kek.fromFile(kek.id(), Path.of(kek.file())) : Kek.fromBase64(kek.id(), kek.key()));
    }
    return new KekRing(keks);
  }

  /** Drains and stops: no new connections, in-flight requests finish within the grace period. */
  @Override
  public void close() {
    long graceMillis = config.current().server().shutdownGraceMillis();
    serverChannels.close().awaitUninterruptibly();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
    while (metrics.inFlight().get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (metrics.inFlight().get() > 0) {
      log.warn("grace period over with {} requests still in flight", metrics.inFlight().get());
    }
    clientChannels.close().awaitUninterruptibly();
    pipeline.connector().close();
    // on io_uring, a short quiet period: the loops keep running until the closes above have completed. A
    // closed socket's pending receive completes (cancelled) after the close itself, and a loop torn down
    // before that would leave the receive's buffer unreleased.
    long quietMillis = "io_uring".equals(transportName) ? IO_URING_QUIET_MILLIS : 0;
    stopLoops(workerGroup, quietMillis, LOOP_STOP_WAIT_MILLIS);
    stopLoops(bossGroup, quietMillis, LOOP_STOP_WAIT_MILLIS);
    // No event loop records usage any more: write what the journal has queued and flush the ledger
    // (events that do not count are only in memory until this flush), before the store closes.
    aggregator.close();
    admission.close();
    jwtAuthenticator.close();
    realtimeExecutor.shutdownNow();
    store.close();
  }

  private static SslContext serverTls(ServerConfig server) throws IOException {
    if (!server.tls().enabled()) {
      return null;
    }
    return SslContextBuilder.forServer(new File(server.tls().certFile()), new File(server.tls().keyFile())).build();
  }

  /** Trusts the JDK's CAs plus, when configured, the certificates in {@code trustCertFile}. */
  static SslContext upstreamTls(String trustCertFile) throws IOException {
    SslContextBuilder builder = SslContextBuilder.forClient();
    TrustManagerFactory trust = upstreamTrust(trustCertFile);
    if (trust != null) {
      builder.trustManager(trust);
    }
    return builder.build();
  }

  /**
   * The same trust for the provider calls made with the JDK's HTTP client ({@code POST /session}): the
   * JDK's default context, or one that also trusts {@code trustCertFile}.
   */
  static SSLContext providerHttpTls(String trustCertFile) throws IOException {
    try {
      TrustManagerFactory trust = upstreamTrust(trustCertFile);
      if (trust == null) {
        return SSLContext.getDefault();
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("upstream.trustCertFile: cannot build a TLS context: " + e.getMessage(), e);
    }
  }

  /** The JDK's CAs plus the certificates in {@code trustCertFile}; null when none is configured. */
  private static TrustManagerFactory upstreamTrust(String trustCertFile) throws IOException {
    if (trustCertFile == null) {
      return null;
    }
    try {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      jdk.init((KeyStore) null);
      int n = 0;
      for (var tm : jdk.getTrustManagers()) {
        if (tm instanceof X509TrustManager x509) {
          for (X509Certificate ca : x509.getAcceptedIssuers()) {
            trust.setCertificateEntry("jdk-" + n++, ca);
          }
        }
      }
      try (InputStream in = Files.newInputStream(Path.of(trustCertFile))) {
        for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          trust.setCertificateEntry("extra-" + n++, cert);
        }
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      return tmf;
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("upstream.trustCertFile: cannot load " + trustCertFile + ": " + e.getMessage(), e);
    }
  }
}
