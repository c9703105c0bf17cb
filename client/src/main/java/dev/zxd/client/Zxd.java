package dev.zxd.client;

import dev.zxd.proto.v1.ClockGetMonotonicRequest;
import dev.zxd.proto.v1.ClockGrpc;
import dev.zxd.proto.v1.ProcessCreateReply;
import dev.zxd.proto.v1.ProcessCreateRequest;
import dev.zxd.proto.v1.ProcessGrpc;
import dev.zxd.proto.v1.Status;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * A connection to a zxd daemon. Processes are made or joined through it; several processes may share one
 * connection, and a program may hold several connections (a simulation of many processes in one JVM).
 *
 * <pre>{@code
 * try (Zxd zxd = Zxd.connect("127.0.0.1:7474");
 *      ZxProcess p = zxd.createProcess("worker")) {
 *   Channel.Pair pair = p.createChannel();
 *   ...
 * }
 * }</pre>
 */
public final class Zxd implements AutoCloseable {
  /** The daemon's default address. */
  public static final String DEFAULT_TARGET = "127.0.0.1:7474";

  private final ManagedChannel channel;
  private final long clockOffset;

  /**
   * The event loops of every Unix-socket connection in this JVM, made at the first one, as gRPC shares one
   * group among its TCP connections. One group per connection cost a thread per connection, and those threads
   * kept the JVM alive when a program forgot to close a connection; these are daemon threads.
   */
  private static final class UnixSocketLoops {
    static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(0,
        new DefaultThreadFactory("zxd-unix-socket", true), EpollIoHandler.newFactory());
  }

  private Zxd(ManagedChannel channel) {
    this.channel = channel;
    // The daemon's monotonic clock, as an offset from ours, so deadlines can be computed without a round trip.
    long before = System.nanoTime();
    long daemonNow;
    try {
      daemonNow = ClockGrpc.newBlockingStub(channel)
          .getMonotonic(ClockGetMonotonicRequest.getDefaultInstance()).getTime();
    } catch (RuntimeException e) {
      channel.shutdownNow();
      throw e;
    }
    long after = System.nanoTime();
    this.clockOffset = daemonNow - (before + (after - before) / 2);
  }

  /** Connects to {@code host:port}, {@code [v6]:port}, {@code unix:/path} or {@code inprocess:name}. */
  public static Zxd connect(String target) {
    return connect(target, null);
  }

  /**
   * Connects as {@link #connect(String)}, with gRPC's callbacks (replies, and the futures they complete) run on
   * {@code callbacks} instead of gRPC's default thread pool, which takes each reply from the transport thread
   * with a thread wake-up. {@code MoreExecutors.directExecutor()} runs them on the transport thread itself: the
   * fastest, for code that never blocks in a callback (a blocking call there would wait for a reply that the
   * same thread has to read). Null: gRPC's default. In-process connections always run callbacks directly.
   */
  public static Zxd connect(String target, Executor callbacks) {
    if (target.startsWith("inprocess:")) {
      return new Zxd(InProcessChannelBuilder.forName(target.substring("inprocess:".length())).directExecutor()
          .build());
    }
    if (target.startsWith("unix:")) {
      if (!Epoll.isAvailable()) {
        throw new IllegalStateException("unix domain sockets need Linux epoll");
      }
      ManagedChannel ch = NettyChannelBuilder.forAddress(new DomainSocketAddress(target.substring(5)))
          .eventLoopGroup(UnixSocketLoops.GROUP).channelType(EpollDomainSocketChannel.class)
          // gRPC asks every connection for TCP keepalive; a Unix socket has no such option, and Netty would
          // warn about it on each connect. A null value removes the option.
          .withOption(ChannelOption.SO_KEEPALIVE, null)
          .usePlaintext().maxInboundMessageSize(8 << 20).executor(callbacks).build();
      return new Zxd(ch);
    }
    ManagedChannel ch = NettyChannelBuilder.forTarget(target).usePlaintext().executor(callbacks)
        .maxInboundMessageSize(8 << 20).flowControlWindow(1 << 20).build();
    return new Zxd(ch);
  }

  /**
   * Connects over TLS to {@code host:port}, trusting {@code caCert} (PEM). For mutual TLS also give the client's
   * certificate chain and PKCS#8 key (PEM); otherwise pass null for both.
   */
  public static Zxd connectTls(String target, java.nio.file.Path caCert, java.nio.file.Path clientCert,
      java.nio.file.Path clientKey) {
    try {
      io.netty.handler.ssl.SslContextBuilder ssl = io.grpc.netty.GrpcSslContexts.forClient()
          .trustManager(caCert.toFile());
      if (clientCert != null) {
        ssl.keyManager(clientCert.toFile(), clientKey.toFile());
      }
      ManagedChannel ch = NettyChannelBuilder.forTarget(target).sslContext(ssl.build())
          .maxInboundMessageSize(8 << 20).flowControlWindow(1 << 20).build();
      return new Zxd(ch);
    } catch (javax.net.ssl.SSLException e) {
      throw new IllegalArgumentException("cannot use the TLS files: " + e.getMessage(), e);
    }
  }

  /** Uses an existing gRPC channel (for example an in-process one); closing this Zxd shuts it down. */
  public static Zxd over(ManagedChannel channel) {
    return new Zxd(channel);
  }

  public ManagedChannel grpcChannel() {
    return channel;
  }

  /** Makes a top-level process and becomes it. */
  public ZxProcess createProcess(String name) {
    ProcessCreateReply reply = ProcessGrpc.newBlockingStub(channel)
        .create(ProcessCreateRequest.newBuilder().setName(name).build());
    ZxException.check(reply.getStatus(), "zx_process_create");
    return new ZxProcess(this, reply.getProcessId(), reply.getSessionToken());
  }

  /** Becomes a process that already exists (a child another process created and passed the token to). */
  public ZxProcess attach(String sessionToken) {
    return new ZxProcess(this, 0, sessionToken);
  }

  /** The daemon's monotonic clock now (ZX_CLOCK_MONOTONIC), estimated locally. */
  public long now() {
    return System.nanoTime() + clockOffset;
  }

  /** A deadline {@code d} from now on the daemon's clock. */
  public long deadlineAfter(Duration d) {
    long n = now();
    long nanos = d.toNanos();
    return nanos >= Long.MAX_VALUE - n ? Long.MAX_VALUE : n + nanos;
  }

  /** The daemon's clock, asked over the wire. */
  public long monotonicNow() {
    return ClockGrpc.newBlockingStub(channel).getMonotonic(ClockGetMonotonicRequest.getDefaultInstance())
        .getTime();
  }

  /** Closes the connection. Processes attached over it die when their grace period ends. */
  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static boolean ok(Status s) {
    return s == Status.ZX_OK;
  }
}
