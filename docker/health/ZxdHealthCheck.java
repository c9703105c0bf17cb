import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The container's health check: one gRPC health check (grpc.health.v1.Health/Check, service "") against the
 * daemon in the same container. Exit 0 when the daemon answers SERVING, 1 otherwise.
 *
 * <p>It is compiled in the image build against zxd-server.jar, which already holds gRPC, Netty and the health
 * stubs, so the runtime image needs no extra tool (no grpc_health_probe, no curl):
 *
 * <pre>java -cp /app/zxd-server.jar:/app/health ZxdHealthCheck [target]</pre>
 *
 * <p>The target is the argument, else {@code ZXD_HEALTH_TARGET}, else the first address in {@code ZXD_LISTEN}
 * (a wildcard host becomes loopback), else 127.0.0.1:7474. {@code unix:/path} targets work too.
 */
public final class ZxdHealthCheck {
  private ZxdHealthCheck() {}

  public static void main(String[] args) {
    // One line of output, whatever the libraries think: the engine keeps the last few outputs of the check.
    InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
    Logger.getLogger("").setLevel(Level.OFF);
    String target = args.length > 0 ? args[0] : target(System.getenv("ZXD_HEALTH_TARGET"), System.getenv("ZXD_LISTEN"));
    long timeoutMs = Long.getLong("zxd.health.timeoutMs", 5000);
    System.exit(check(target, timeoutMs));
  }

  static String target(String explicit, String listen) {
    if (explicit != null && !explicit.isBlank()) {
      return explicit.trim();
    }
    if (listen == null || listen.isBlank()) {
      return "127.0.0.1:7474";
    }
    String first = listen.split(",")[0].trim();
    if (first.startsWith("unix:")) {
      return first;
    }
    int colon = first.lastIndexOf(':');
    String host = colon > 0 ? first.substring(0, colon) : first;
    String port = colon > 0 ? first.substring(colon + 1) : "7474";
    switch (host) {
      case "0.0.0.0", "", "*" -> host = "127.0.0.1";
      case "[::]", "::", "[::0]" -> host = "[::1]";
      default -> { }
    }
    return host + ":" + port;
  }

  static int check(String target, long timeoutMs) {
    EventLoopGroup group = null;
    ManagedChannel channel;
    if (target.startsWith("unix:")) {
      group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
      channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(target.substring("unix:".length())))
          .eventLoopGroup(group).channelType(EpollDomainSocketChannel.class).usePlaintext().build();
    } else {
      channel = NettyChannelBuilder.forTarget(target).usePlaintext().build();
    }
    try {
      HealthCheckResponse.ServingStatus status = HealthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS)
          .check(HealthCheckRequest.newBuilder().setService("").build())
          .getStatus();
      System.out.println("zxd health (" + target + "): " + status);
      return status == HealthCheckResponse.ServingStatus.SERVING ? 0 : 1;
    } catch (StatusRuntimeException e) {
      System.out.println("zxd health (" + target + "): " + e.getStatus().getCode() + " "
          + (e.getStatus().getDescription() == null ? "" : e.getStatus().getDescription()));
      return 1;
    } finally {
      channel.shutdownNow();
      if (group != null) {
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      }
    }
  }
}
