package dev.zxd.rpc;

import dev.zxd.kernel.HandleResult;
import dev.zxd.kernel.Kernel;
import dev.zxd.kernel.Status;
import dev.zxd.kernel.VmoSyscalls;
import dev.zxd.proto.v1.VmoCreateReply;
import dev.zxd.proto.v1.VmoCreateRequest;
import dev.zxd.proto.v1.VmoGetSizeReply;
import dev.zxd.proto.v1.VmoGetSizeRequest;
import dev.zxd.proto.v1.VmoGrpc;
import dev.zxd.proto.v1.VmoReadReply;
import dev.zxd.proto.v1.VmoReadRequest;
import dev.zxd.proto.v1.VmoSetSizeReply;
import dev.zxd.proto.v1.VmoSetSizeRequest;
import dev.zxd.proto.v1.VmoWriteReply;
import dev.zxd.proto.v1.VmoWriteRequest;
import io.grpc.stub.StreamObserver;

/** zxd.v1.Vmo. Sizes and offsets are uint64 on the wire; values past INT64_MAX are OUT_OF_RANGE here. */
public final class VmoService extends VmoGrpc.VmoImplBase {
  private final Kernel kernel;

  public VmoService(Kernel kernel) {
    this.kernel = kernel;
  }

  @Override
  public void create(VmoCreateRequest request, StreamObserver<VmoCreateReply> out) {
    HandleResult r = request.getSize() < 0
        ? new HandleResult(Status.ERR_OUT_OF_RANGE, 0)
        : kernel.vmo().create(Calls.caller(), request.getSize(), request.getOptions());
    Calls.reply(out, VmoCreateReply.newBuilder().setStatusValue(r.status()).setOut(r.out()).build());
  }

  @Override
  public void read(VmoReadRequest request, StreamObserver<VmoReadReply> out) {
    VmoSyscalls.ReadResult r = kernel.vmo().read(
        Calls.caller(), request.getHandle(), request.getOffset(), request.getBufferSize());
    Calls.reply(out, VmoReadReply.newBuilder().setStatusValue(r.status()).setBuffer(r.data()).build());
  }

  @Override
  public void write(VmoWriteRequest request, StreamObserver<VmoWriteReply> out) {
    int status = kernel.vmo().write(Calls.caller(), request.getHandle(), request.getOffset(), request.getBuffer());
    Calls.reply(out, VmoWriteReply.newBuilder().setStatusValue(status).build());
  }

  @Override
  public void getSize(VmoGetSizeRequest request, StreamObserver<VmoGetSizeReply> out) {
    VmoSyscalls.SizeResult r = kernel.vmo().getSize(Calls.caller(), request.getHandle());
    Calls.reply(out, VmoGetSizeReply.newBuilder().setStatusValue(r.status()).setSize(r.size()).build());
  }

  @Override
  public void setSize(VmoSetSizeRequest request, StreamObserver<VmoSetSizeReply> out) {
    int status = request.getSize() < 0 ? Status.ERR_OUT_OF_RANGE
        : kernel.vmo().setSize(Calls.caller(), request.getHandle(), request.getSize());
    Calls.reply(out, VmoSetSizeReply.newBuilder().setStatusValue(status).build());
  }
}
