package dev.zxd.daemon;

import dev.zxd.kernel.Kernel;
import dev.zxd.kernel.KernelConfig;
import dev.zxd.rpc.ChannelService;
import dev.zxd.rpc.ClockService;
import dev.zxd.rpc.EventPairService;
import dev.zxd.rpc.EventService;
import dev.zxd.rpc.FaultInterceptor;
import dev.zxd.rpc.FifoService;
import dev.zxd.rpc.HandleService;
import dev.zxd.rpc.ObjectService;
import dev.zxd.rpc.PortService;
import dev.zxd.rpc.ProcessService;
import dev.zxd.rpc.SessionInterceptor;
import dev.zxd.rpc.SocketService;
import dev.zxd.rpc.TaskService;
import dev.zxd.rpc.TimerService;
import dev.zxd.rpc.VmoService;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
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
  private final Kernel kernel;
  private final List<Server> servers;
  private final List<ListenAddress> addresses;
  private final HealthStatusManager health;
  private final List<EventLoopGroup> eventLoops;

  private ZxdServer(Kernel kernel, List<Server> servers, List<ListenAddress> addresses, HealthStatusManager health,
      List<EventLoopGroup> eventLoops) {
    this.kernel = kernel;
    this.servers = servers;
    this.addresses = addresses;
    this.health = health;
    this.eventLoops = eventLoops;
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

  /** Stops accepting calls, ends every process (peers notified), and releases the listeners. */
  @Override
  public void close() {
    health.enterTerminalState();
    for (Server s : servers) {
      s.shutdown();
    }
    kernel.close();
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

    public Builder flowControlWindow(int bytes) {
      this.flowControlWindow = bytes;
      return this;
    }

    /** Everything a configuration says: kernel limits, listeners, transport sizes. */
    public Builder settings(Settings settings) {
      kernelConfig(settings.kernelConfig());
      settings.getAll(Settings.LISTEN).forEach(this::listen);
      maxFrameBytes(settings.get(Settings.MAX_FRAME_BYTES));
      flowControlWindow(settings.get(Settings.FLOW_CONTROL_WINDOW));
      return this;
    }

    public ZxdServer start() throws IOException {
      Kernel kernel = new Kernel(kernelConfig);
      HealthStatusManager health = new HealthStatusManager();
      List<ServerServiceDefinition> services = services(kernel, health);
      List<EventLoopGroup> loops = new ArrayList<>();
      List<Server> servers = new ArrayList<>();
      List<ListenAddress> bound = new ArrayList<>();
      try {
        for (ListenAddress address : listen.isEmpty() ? List.of(ListenAddress.DEFAULT) : listen) {
          Server server = build(address, services, loops).start();
          servers.add(server);
          bound.add(boundAddress(address, server));
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
      health.setStatus("", HealthCheckResponse.ServingStatus.SERVING);
      return new ZxdServer(kernel, servers, bound, health, loops);
    }

    private static List<ServerServiceDefinition> services(Kernel kernel, HealthStatusManager health) {
      SessionInterceptor sessions = new SessionInterceptor(kernel);
      FaultInterceptor faults = new FaultInterceptor();
      List<BindableService> syscalls = List.of(
          new HandleService(kernel), new ObjectService(kernel), new ChannelService(kernel),
          new EventService(kernel), new EventPairService(kernel), new ProcessService(kernel),
          new TaskService(kernel), new ClockService(kernel), new SocketService(kernel),
          new PortService(kernel), new TimerService(kernel), new VmoService(kernel), new FifoService(kernel));
      List<ServerServiceDefinition> out = new ArrayList<>();
      for (BindableService s : syscalls) {
        // The fault interceptor is outermost, so it also sees what escapes the session interceptor.
        out.add(ServerInterceptors.intercept(s, sessions, faults));
      }
      out.add(health.getHealthService().bindService());
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
              .channelType(EpollServerDomainSocketChannel.class);
        } else {
          netty = NettyServerBuilder.forAddress(((ListenAddress.Tcp) address).socketAddress())
              .channelType(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class);
        }
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1,
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(0,
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
