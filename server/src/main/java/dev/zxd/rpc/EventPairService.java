package dev.zxd.rpc;

import dev.zxd.kernel.HandlePairResult;
import dev.zxd.kernel.Kernel;
import dev.zxd.proto.v1.EventPairCreateReply;
import dev.zxd.proto.v1.EventPairCreateRequest;
import dev.zxd.proto.v1.EventPairGrpc;
import io.grpc.stub.StreamObserver;

/** zxd.v1.EventPair. */
public final class EventPairService extends EventPairGrpc.EventPairImplBase {
  private final Kernel kernel;

  public EventPairService(Kernel kernel) {
    this.kernel = kernel;
  }

  @Override
  public void create(EventPairCreateRequest request, StreamObserver<EventPairCreateReply> out) {
    HandlePairResult r = kernel.event().createPair(Calls.caller(), request.getOptions());
    Calls.reply(out, EventPairCreateReply.newBuilder()
        .setStatusValue(r.status()).setOut0(r.out0()).setOut1(r.out1()).build());
  }
}
