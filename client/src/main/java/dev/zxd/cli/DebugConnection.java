package dev.zxd.cli;

import dev.zxd.client.Zxd;
import dev.zxd.proto.v1.DebugGrpc;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.util.concurrent.TimeUnit;

/** A connection to the daemon's Debug service, carrying the admin token when one was given. */
public final class DebugConnection implements AutoCloseable {
  static final Metadata.Key<String> ADMIN_KEY = Metadata.Key.of("zx-admin", Metadata.ASCII_STRING_MARSHALLER);
  /** Bound on every unary Debug call: they answer from memory, so anything longer is a stuck daemon. */
  private static final long CALL_SECONDS = 30;

  private final Zxd zxd;
  private final Channel channel;

  private DebugConnection(Zxd zxd, Channel channel) {
    this.zxd = zxd;
    this.channel = channel;
  }

  public static DebugConnection open(Zxctl.Target target) {
    Zxd zxd = Zxd.connect(target.target);
    Channel ch = zxd.grpcChannel();
    if (target.hasAdminToken()) {
      Metadata headers = new Metadata();
      headers.put(ADMIN_KEY, target.adminToken);
      ch = ClientInterceptors.intercept(ch, MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    return new DebugConnection(zxd, ch);
  }

  /** A stub for one unary call (its deadline starts now). */
  public DebugGrpc.DebugBlockingStub call() {
    return DebugGrpc.newBlockingStub(channel).withDeadlineAfter(CALL_SECONDS, TimeUnit.SECONDS);
  }

  /** A stub for a stream, with no deadline. */
  DebugGrpc.DebugBlockingStub stream() {
    return DebugGrpc.newBlockingStub(channel);
  }

  /** The daemon's monotonic clock now, estimated locally from the offset measured at connect. */
  long now() {
    return zxd.now();
  }

  @Override
  public void close() {
    zxd.close();
  }
}
