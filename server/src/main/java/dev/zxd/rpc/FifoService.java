package dev.zxd.rpc;

import dev.zxd.kernel.FifoSyscalls;
import dev.zxd.kernel.HandlePairResult;
import dev.zxd.kernel.Kernel;
import dev.zxd.proto.v1.FifoCreateReply;
import dev.zxd.proto.v1.FifoCreateRequest;
import dev.zxd.proto.v1.FifoGrpc;
import dev.zxd.proto.v1.FifoReadReply;
import dev.zxd.proto.v1.FifoReadRequest;
import dev.zxd.proto.v1.FifoWriteReply;
import dev.zxd.proto.v1.FifoWriteRequest;
import io.grpc.stub.StreamObserver;

/** zxd.v1.Fifo. */
public final class FifoService extends FifoGrpc.FifoImplBase {
  private final Kernel kernel;

  public FifoService(Kernel kernel) {
    this.kernel = kernel;
  }

  @Override
  public void create(FifoCreateRequest request, StreamObserver<FifoCreateReply> out) {
    HandlePairResult r = kernel.fifo().create(
        Calls.caller(), request.getElemCount(), request.getElemSize(), request.getOptions());
    Calls.reply(out, FifoCreateReply.newBuilder()
        .setStatusValue(r.status()).setOut0(r.out0()).setOut1(r.out1()).build());
  }

  @Override
  public void write(FifoWriteRequest request, StreamObserver<FifoWriteReply> out) {
    FifoSyscalls.WriteResult r = kernel.fifo().write(Calls.caller(), request.getHandle(), request.getElemSize(),
        request.getData(), Calls.capacity(request.getCount()));
    Calls.reply(out, FifoWriteReply.newBuilder().setStatusValue(r.status()).setActualCount(r.actualCount()).build());
  }

  @Override
  public void read(FifoReadRequest request, StreamObserver<FifoReadReply> out) {
    FifoSyscalls.ReadResult r = kernel.fifo().read(
        Calls.caller(), request.getHandle(), request.getElemSize(), Calls.capacity(request.getCount()));
    Calls.reply(out, FifoReadReply.newBuilder().setStatusValue(r.status()).setData(r.data())
        .setActualCount(r.actualCount()).build());
  }
}
