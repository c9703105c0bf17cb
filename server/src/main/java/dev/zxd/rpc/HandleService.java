package dev.zxd.rpc;

import dev.zxd.kernel.HandleResult;
import dev.zxd.kernel.Kernel;
import dev.zxd.proto.v1.HandleCloseManyReply;
import dev.zxd.proto.v1.HandleCloseManyRequest;
import dev.zxd.proto.v1.HandleCloseReply;
import dev.zxd.proto.v1.HandleCloseRequest;
import dev.zxd.proto.v1.HandleDuplicateReply;
import dev.zxd.proto.v1.HandleDuplicateRequest;
import dev.zxd.proto.v1.HandleGrpc;
import dev.zxd.proto.v1.HandleReplaceReply;
import dev.zxd.proto.v1.HandleReplaceRequest;
import io.grpc.stub.StreamObserver;

/** zxd.v1.Handle. */
public final class HandleService extends HandleGrpc.HandleImplBase {
  private final Kernel kernel;

  public HandleService(Kernel kernel) {
    this.kernel = kernel;
  }

  @Override
  public void close(HandleCloseRequest request, StreamObserver<HandleCloseReply> out) {
    int status = kernel.handle().close(Calls.caller(), request.getHandle());
    Calls.reply(out, HandleCloseReply.newBuilder().setStatusValue(status).build());
  }

  @Override
  public void closeMany(HandleCloseManyRequest request, StreamObserver<HandleCloseManyReply> out) {
    int status = kernel.handle().closeMany(Calls.caller(), Calls.toArray(request.getHandlesList()));
    Calls.reply(out, HandleCloseManyReply.newBuilder().setStatusValue(status).build());
  }

  @Override
  public void duplicate(HandleDuplicateRequest request, StreamObserver<HandleDuplicateReply> out) {
    HandleResult r = kernel.handle().duplicate(Calls.caller(), request.getHandle(), request.getRights());
    Calls.reply(out, HandleDuplicateReply.newBuilder().setStatusValue(r.status()).setOut(r.out()).build());
  }

  @Override
  public void replace(HandleReplaceRequest request, StreamObserver<HandleReplaceReply> out) {
    HandleResult r = kernel.handle().replace(Calls.caller(), request.getHandle(), request.getRights());
    Calls.reply(out, HandleReplaceReply.newBuilder().setStatusValue(r.status()).setOut(r.out()).build());
  }
}
