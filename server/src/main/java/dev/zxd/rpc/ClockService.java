package dev.zxd.rpc;

import dev.zxd.kernel.Kernel;
import dev.zxd.proto.v1.ClockGetMonotonicReply;
import dev.zxd.proto.v1.ClockGetMonotonicRequest;
import dev.zxd.proto.v1.ClockGrpc;
import io.grpc.stub.StreamObserver;

/** zxd.v1.Clock. */
public final class ClockService extends ClockGrpc.ClockImplBase {
  private final Kernel kernel;

  public ClockService(Kernel kernel) {
    this.kernel = kernel;
  }

  @Override
  public void getMonotonic(ClockGetMonotonicRequest request, StreamObserver<ClockGetMonotonicReply> out) {
    Calls.reply(out, ClockGetMonotonicReply.newBuilder().setTime(kernel.clock().now()).build());
  }
}
