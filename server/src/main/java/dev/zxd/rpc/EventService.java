package dev.zxd.rpc;

import dev.zxd.kernel.HandleResult;
import dev.zxd.kernel.Kernel;
import dev.zxd.proto.v1.EventCreateReply;
import dev.zxd.proto.v1.EventCreateRequest;
import dev.zxd.proto.v1.EventGrpc;
import io.grpc.stub.StreamObserver;

/** zxd.v1.Event. */
public final class EventService extends EventGrpc.EventImplBase {
  private final Kernel kernel;

  public EventService(Kernel kernel) {
    this.kernel = kernel;
  }

  @Override
  public void create(EventCreateRequest request, StreamObserver<EventCreateReply> out) {
    HandleResult r = kernel.event().create(Calls.caller(), request.getOptions());
    Calls.reply(out, EventCreateReply.newBuilder().setStatusValue(r.status()).setOut(r.out()).build());
  }
}
