package dev.zxd.daemon;

import dev.zxd.kernel.Kernel;
import dev.zxd.kernel.KernelConfig;
import dev.zxd.rpc.ChannelService;
import dev.zxd.rpc.AdminInterceptor;
import dev.zxd.rpc.ClockService;
import dev.zxd.rpc.DebugService;
import dev.zxd.rpc.EventPairService;
import dev.zxd.rpc.EventService;
import dev.zxd.rpc.FaultInterceptor;
import dev.zxd.rpc.FifoService;
import dev.zxd.rpc.HandleService;
import dev.zxd.rpc.MalformedRequests;
import dev.zxd.rpc.ObjectService;
import dev.zxd.rpc.PlaintextTokenGuard;
import dev.zxd.rpc.PortService;
import dev.zxd.rpc.ProcessService;
import dev.zxd.rpc.SessionInterceptor;
import dev.zxd.rpc.SocketService;
import dev.zxd.rpc.StreamStallLimit;
import dev.zxd.rpc.SyscallInstrumentation;
import dev.zxd.rpc.SyscallMetrics;
import dev.zxd.rpc.SyscallStreamService;
import dev.zxd.rpc.SyscallTrace;
import dev.zxd.rpc.TaskService;
import dev.zxd.rpc.TimerService;
import dev.zxd.rpc.VmoService;
import io.grpc.BindableService;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A running zxd: one kernel served on any number of listeners (TCP, Unix domain socket, in-process), all with
 * the same services. The transport is chosen per listener; nothing above this class knows which it is.
 * Embeddable: tests and applications start one with {@link #builder()}.
 */
public final class ZxdServer implements AutoCloseable {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ZxdServer.class);
  private final Kernel kernel;
  private final List<Server> servers;
  private final List<ListenAddress> addresses;
  private final HealthStatusManager health;
  private final List<EventLoopGroup> eventLoops;
  private final PrometheusMeterRegistry registry;
  private final SyscallTrace trace;
  private final MetricsEndpoint metricsEndpoint;
  private final List<AutoCloseable> closeables;
  private boolean closed;

  private ZxdServer(Kernel kernel, List<Server> servers, List<ListenAddress> addresses, HealthStatusManager health,
      List<EventLoopGroup> eventLoops, PrometheusMeterRegistry registry, SyscallTrace trace,
      MetricsEndpoint metricsEndpoint, List<AutoCloseable> closeables) {
    this.kernel = kernel;
    this.servers = servers;
    this.addresses = addresses;
    this.health = health;
    this.eventLoops = eventLoops;
    this.registry = registry;
    this.trace = trace;
    this.metricsEndpoint = metricsEndpoint;
    this.closeables = closeables;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Kernel kernel() {
    return kernel;
  }

  /** The addresses actually bound, in the order given (port 0 resolved to the real port). */
  public List<ListenAddress> addresses() {
    return addresses;
  }

  /** The metrics (Prometheus format via {@link PrometheusMeterRegistry#scrape()}). */
  public PrometheusMeterRegistry meterRegistry() {
    return registry;
  }

  /** The HTTP address serving /metrics, or null when metrics are not served. */
  public ListenAddress.Tcp metricsAddress() {
    return metricsEndpoint == null ? null : metricsEndpoint.address();
  }

  public SyscallTrace trace() {
    return trace;
  }

  /**
   * Drains and stops: stops accepting calls, ends every process (its peers see PEER_CLOSED, its clients' waits
   * end and their KeepAlive streams report the death), waits briefly for replies in flight, then releases the
   * listeners. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    health.enterTerminalState();
    for (Server s : servers) {
      s.shutdown();
    }
    kernel.close();
    trace.close(); // ends Debug/Trace streams, which would otherwise hold the drain for its whole timeout
    for (Server s : servers) {
      try {
        if (!s.awaitTermination(5, TimeUnit.SECONDS)) {
          s.shutdownNow();
        }
      } catch (InterruptedException e) {
        s.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    for (EventLoopGroup g : eventLoops) {
      g.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
    if (metricsEndpoint != null) {
      metricsEndpoint.close();
    }
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception ignored) {
        // Closing meters cannot fail in a way that matters at shutdown.
      }
    }
    for (ListenAddress a : addresses) {
      if (a instanceof ListenAddress.Unix u) {
        try {
          Files.deleteIfExists(u.path());
        } catch (IOException ignored) {
          // Best effort: a stale socket file is replaced at the next start anyway.
        }
      }
    }
  }

  public static final class Builder {
    private KernelConfig kernelConfig = KernelConfig.DEFAULTS;
    private final List<ListenAddress> listen = new ArrayList<>();
    private int maxFrameBytes = 4 << 20;
    private int flowControlWindow = 1 << 20;
    private int ioThreads;
    private ListenAddress.Tcp metrics;
    private String adminToken = "";
    private int traceBufferEvents = 65_536;
    private java.util.Map<String, String> settingsSummary = java.util.Map.of();
    private java.nio.file.Path tlsCert;
    private java.nio.file.Path tlsKey;
    private java.nio.file.Path tlsClientCa;
    private boolean allowPlaintextTokens;
    private java.time.Duration streamStallTimeout = java.time.Duration.ofSeconds(30);

    public Builder kernelConfig(KernelConfig config) {
      this.kernelConfig = config;
      return this;
    }

    public Builder listen(ListenAddress address) {
      listen.add(address);
      return this;
    }

    public Builder maxFrameBytes(int bytes) {
      this.maxFrameBytes = bytes;
      return this;
    }

    /** Transport threads per listener; 0 = Netty's default (two per core). */
    public Builder ioThreads(int threads) {
      if (threads < 0) {
        throw new IllegalArgumentException("io threads must be at least 0: " + threads);
      }
      this.ioThreads = threads;
      return this;
    }

    public Builder flowControlWindow(int bytes) {
      this.flowControlWindow = bytes;
      return this;
    }

    /** Serves Prometheus metrics over HTTP at {@code address}/metrics (port 0: any free port). */
    public Builder metrics(ListenAddress.Tcp address) {
      this.metrics = address;
      return this;
    }

    /** Requires this token (metadata {@code zx-admin}) on Debug calls; empty: Debug is open. */
    public Builder adminToken(String token) {
      this.adminToken = token == null ? "" : token;
      return this;
    }

    /**
     * Serves TLS on the TCP listeners (Unix sockets and in-process stay plaintext: they never leave the
     * machine). With {@code clientCa}, clients must present a certificate it signed (mutual TLS).
     */
    public Builder tls(java.nio.file.Path cert, java.nio.file.Path key, java.nio.file.Path clientCa) {
      this.tlsCert = cert;
      this.tlsKey = key;
      this.tlsClientCa = clientCa;
      return this;
    }

    /**
     * Accepts tokens on plaintext TCP listeners bound to a non-loopback address (refused by default: they
     * would cross the network in the clear).
     */
    public Builder allowPlaintextTokens(boolean allow) {
      this.allowPlaintextTokens = allow;
      return this;
    }

    /** How long a reply stream may hold replies its client is not reading before it is ended. */
    public Builder streamStallTimeout(java.time.Duration timeout) {
      this.streamStallTimeout = timeout;
      return this;
    }

    public Builder traceBufferEvents(int events) {
      this.traceBufferEvents = events;
      return this;
    }

    /** Everything a configuration says: kernel limits, listeners, transport sizes, metrics, admin token. */
    public Builder settings(Settings settings) {
      kernelConfig(settings.kernelConfig());
      settings.getAll(Settings.LISTEN).forEach(this::listen);
      maxFrameBytes(settings.get(Settings.MAX_FRAME_BYTES));
      flowControlWindow(settings.get(Settings.FLOW_CONTROL_WINDOW));
      ioThreads(settings.get(Settings.IO_THREADS));
      ListenAddress m = settings.get(Settings.METRICS);
      if (m instanceof ListenAddress.Tcp t) {
        metrics(t);
      }
      adminToken(settings.get(Settings.ADMIN_TOKEN));
      traceBufferEvents(settings.get(Settings.TRACE_BUFFER_EVENTS));
      String cert = settings.get(Settings.TLS_CERT);
      String key = settings.get(Settings.TLS_KEY);
      if (cert.isEmpty() != key.isEmpty()) {
        throw new IllegalArgumentException("--tls-cert and --tls-key go together");
      }
      if (!cert.isEmpty()) {
        String ca = settings.get(Settings.TLS_CLIENT_CA);
        tls(java.nio.file.Path.of(cert), java.nio.file.Path.of(key), ca.isEmpty() ? null : java.nio.file.Path.of(ca));
      }
      allowPlaintextTokens(settings.get(Settings.ALLOW_PLAINTEXT_TOKENS));
      streamStallTimeout(settings.get(Settings.STREAM_STALL_TIMEOUT));
      this.settingsSummary = settings.summary();
      return this;
    }

    public ZxdServer start() throws IOException {
      Kernel kernel = new Kernel(kernelConfig);
      HealthStatusManager health = new HealthStatusManager();
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      List<AutoCloseable> closeables = bindJvmMetrics(registry);
      KernelMetrics.bind(kernel, registry);
      kernel.addDeathListener(new LeakReport(registry));
      SyscallTrace trace = new SyscallTrace(traceBufferEvents);
      StreamStallLimit stallLimit = new StreamStallLimit(kernel, streamStallTimeout);
      io.micrometer.core.instrument.FunctionCounter.builder("zxd.streams.stalled", stallLimit,
              StreamStallLimit::streamsEnded)
          .description("Reply streams ended because their client read nothing for stream-stall-timeout")
          .register(registry);
      List<ServerServiceDefinition> services = services(kernel, health, registry, trace, stallLimit);
      List<EventLoopGroup> loops = new ArrayList<>();
      List<Server> servers = new ArrayList<>();
      List<ListenAddress> bound = new ArrayList<>();
      try {
        for (ListenAddress address : listen.isEmpty() ? List.of(ListenAddress.DEFAULT) : listen) {
          Server server = build(address, services, loops).start();
          servers.add(server);
          bound.add(boundAddress(address, server));
          warnIfPlaintextAndReachable(bound.get(bound.size() - 1));
          if (address instanceof ListenAddress.Unix u) {
            Files.setPosixFilePermissions(u.path(), PosixFilePermissions.fromString("rw-------"));
          }
        }
      } catch (IOException | RuntimeException e) {
        servers.forEach(Server::shutdownNow);
        loops.forEach(EventLoopGroup::shutdownGracefully);
        kernel.close();
        throw e;
      }
      MetricsEndpoint endpoint = null;
      if (metrics != null) {
        try {
          endpoint = new MetricsEndpoint(metrics, registry);
        } catch (IOException e) {
          servers.forEach(Server::shutdownNow);
          loops.forEach(EventLoopGroup::shutdownGracefully);
          kernel.close();
          throw new IOException("cannot serve metrics on " + metrics + ": " + e.getMessage(), e);
        }
      }
      health.setStatus("", HealthCheckResponse.ServingStatus.SERVING);
      return new ZxdServer(kernel, servers, bound, health, loops, registry, trace, endpoint, closeables);
    }

    private static List<AutoCloseable> bindJvmMetrics(PrometheusMeterRegistry registry) {
      // Two of Micrometer's standard meters break Prometheus naming rules (promtool check metrics): an
      // abbreviated unit and a gauge ending in _count. Their information is elsewhere (process_cpu_usage,
      // the JVM's own processor count), so they are left out.
      registry.config().meterFilter(MeterFilter.deny(id ->
          id.getName().equals("process.cpu.time") || id.getName().equals("system.cpu.count")));
      new JvmMemoryMetrics().bindTo(registry);
      new JvmThreadMetrics().bindTo(registry);
      new ProcessorMetrics().bindTo(registry);
      new UptimeMetrics().bindTo(registry);
      JvmGcMetrics gc = new JvmGcMetrics();
      gc.bindTo(registry);
      return List.of(gc);
    }

    private List<ServerServiceDefinition> services(Kernel kernel, HealthStatusManager health,
        PrometheusMeterRegistry registry, SyscallTrace trace, StreamStallLimit stallLimit) {
      SessionInterceptor sessions = new SessionInterceptor(kernel);
      FaultInterceptor faults = new FaultInterceptor();
      SyscallInstrumentation instrumentation =
          new SyscallInstrumentation(kernel,
              new SyscallMetrics(registry, kernel.timers(), kernel.clock()), trace);
      List<BindableService> syscalls = List.of(
          new HandleService(kernel), new ObjectService(kernel), new ChannelService(kernel),
          new EventService(kernel), new EventPairService(kernel), new ProcessService(kernel),
          new TaskService(kernel), new ClockService(kernel), new SocketService(kernel),
          new PortService(kernel, stallLimit), new TimerService(kernel), new VmoService(kernel),
          new FifoService(kernel));
      List<ServerServiceDefinition> out = new ArrayList<>();
      for (BindableService s : syscalls) {
        // Outermost first: faults, then the session, then instrumentation (which needs the session's process).
        out.add(ServerInterceptors.intercept(s, instrumentation, sessions, faults));
      }
      // The syscall stream runs each request through the same service methods as the unary RPCs, measured by
      // the same instrumentation; the session is checked once, when the stream opens.
      out.add(ServerInterceptors.intercept(new SyscallStreamService(syscalls, instrumentation, stallLimit),
          sessions, faults));
      out.add(ServerInterceptors.intercept(new DebugService(kernel, trace, settingsSummary, stallLimit),
          new AdminInterceptor(adminToken), faults));
      out.replaceAll(MalformedRequests::refuse);
      out.add(health.getHealthService().bindService());
      out.add(new dev.zxd.rpc.BenchService().bindService()); // bare echo for zxctl bench --baseline
      out.add(ProtoReflectionServiceV1.newInstance().bindService());
      return out;
    }

    private Server build(ListenAddress address, List<ServerServiceDefinition> services, List<EventLoopGroup> loops) {
      ServerBuilder<?> builder;
      if (address instanceof ListenAddress.InProcess p) {
        builder = InProcessServerBuilder.forName(p.name());
      } else {
        NettyServerBuilder netty;
        boolean epoll = Epoll.isAvailable();
        if (address instanceof ListenAddress.Unix u) {
          if (!epoll) {
            throw new IllegalStateException("unix domain sockets need Linux epoll: " + Epoll.unavailabilityCause());
          }
          try {
            Files.deleteIfExists(u.path());
          } catch (IOException e) {
            throw new IllegalStateException("cannot replace " + u.path() + ": " + e.getMessage(), e);
          }
          netty = NettyServerBuilder.forAddress(new DomainSocketAddress(u.path().toString()))
              .channelType(EpollServerDomainSocketChannel.class)
              // gRPC asks every accepted connection for TCP keepalive; a Unix socket has no such option, and
              // Netty would warn about it once per connection. A null value removes the option.
              .withChildOption(ChannelOption.SO_KEEPALIVE, null);
        } else {
          netty = NettyServerBuilder.forAddress(((ListenAddress.Tcp) address).socketAddress())
              .channelType(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class);
          if (tlsCert != null) {
            netty.sslContext(sslContext());
          } else if (!allowPlaintextTokens && !isLoopback((ListenAddress.Tcp) address)) {
            netty.intercept(new PlaintextTokenGuard(((ListenAddress.Tcp) address).host()));
          }
        }
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1,
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(ioThreads,
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        loops.add(boss);
        loops.add(workers);
        netty.bossEventLoopGroup(boss).workerEventLoopGroup(workers)
            .flowControlWindow(flowControlWindow)
            .permitKeepAliveTime(5, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true)
            .keepAliveTime(30, TimeUnit.SECONDS)
            .keepAliveTimeout(10, TimeUnit.SECONDS);
        builder = netty;
      }
      // Syscalls never block: run them on the transport threads, with no executor hop.
      builder.directExecutor().maxInboundMessageSize(maxFrameBytes);
      services.forEach(builder::addService);
      return builder.build();
    }

    /** Whether {@code address} takes connections from this machine only (a wildcard address does not). */
    static boolean isLoopback(ListenAddress.Tcp address) {
      try {
        java.net.InetAddress[] all = java.net.InetAddress.getAllByName(address.host());
        for (java.net.InetAddress a : all) {
          if (!a.isLoopbackAddress()) {
            return false;
          }
        }
        return true;
      } catch (java.net.UnknownHostException e) {
        return false; // the bind fails anyway
      }
    }

    /** A plaintext listener other machines can reach: say what happens to tokens there. */
    private void warnIfPlaintextAndReachable(ListenAddress address) {
      if (!(address instanceof ListenAddress.Tcp tcp) || tlsCert != null || isLoopback(tcp)) {
        return;
      }
      if (allowPlaintextTokens) {
        log.warn("listening in plaintext on {}, which is not loopback-only: session and admin tokens cross the "
            + "network unencrypted (allow-plaintext-tokens=true); use --tls-cert/--tls-key to protect them",
            address);
      } else {
        log.warn("listening in plaintext on {}, which is not loopback-only: calls carrying session or admin "
            + "tokens, and Process/Create, are refused there (use --tls-cert/--tls-key, or set "
            + "allow-plaintext-tokens=true)", address);
      }
    }

    private io.netty.handler.ssl.SslContext sslContext() {
      try {
        io.netty.handler.ssl.SslContextBuilder b = io.grpc.netty.GrpcSslContexts.configure(
            io.netty.handler.ssl.SslContextBuilder.forServer(tlsCert.toFile(), tlsKey.toFile()));
        if (tlsClientCa != null) {
          b.trustManager(tlsClientCa.toFile()).clientAuth(io.netty.handler.ssl.ClientAuth.REQUIRE);
        }
        return b.build();
      } catch (javax.net.ssl.SSLException | RuntimeException e) {
        throw new IllegalArgumentException("cannot use the TLS files: " + e.getMessage(), e);
      }
    }

    private static ListenAddress boundAddress(ListenAddress requested, Server server) {
      if (requested instanceof ListenAddress.Tcp t) {
        for (var a : server.getListenSockets()) {
          if (a instanceof InetSocketAddress inet) {
            return new ListenAddress.Tcp(t.host(), inet.getPort());
          }
        }
      }
      return requested;
    }
  }
}
