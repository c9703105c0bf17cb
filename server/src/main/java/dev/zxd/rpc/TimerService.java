package dev.zxd.rpc;

import dev.zxd.kernel.HandleResult;
import dev.zxd.kernel.Kernel;
import dev.zxd.proto.v1.TimerCancelReply;
import dev.zxd.proto.v1.TimerCancelRequest;
import dev.zxd.proto.v1.TimerCreateReply;
import dev.zxd.proto.v1.TimerCreateRequest;
import dev.zxd.proto.v1.TimerGrpc;
import dev.zxd.proto.v1.TimerSetReply;
import dev.zxd.proto.v1.TimerSetRequest;
import io.grpc.stub.StreamObserver;

/** zxd.v1.Timer. */
public final class TimerService extends TimerGrpc.TimerImplBase {
  private final Kernel kernel;

  public TimerService(Kernel kernel) {
    this.kernel = kernel;
  }

  @Override
  public void create(TimerCreateRequest request, StreamObserver<TimerCreateReply> out) {
    HandleResult r = kernel.timer().create(Calls.caller(), request.getOptions(), request.getClockId());
    Calls.reply(out, TimerCreateReply.newBuilder().setStatusValue(r.status()).setOut(r.out()).build());
  }

  @Override
  public void set(TimerSetRequest request, StreamObserver<TimerSetReply> out) {
    int status = kernel.timer().set(Calls.caller(), request.getHandle(), request.getDeadline(), request.getSlack());
    Calls.reply(out, TimerSetReply.newBuilder().setStatusValue(status).build());
  }

  @Override
  public void cancel(TimerCancelRequest request, StreamObserver<TimerCancelReply> out) {
    int status = kernel.timer().cancel(Calls.caller(), request.getHandle());
    Calls.reply(out, TimerCancelReply.newBuilder().setStatusValue(status).build());
  }
}
