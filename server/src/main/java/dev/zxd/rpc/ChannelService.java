package dev.zxd.rpc;

import dev.zxd.kernel.ChannelSyscalls;
import dev.zxd.kernel.HandlePairResult;
import dev.zxd.kernel.Kernel;
import dev.zxd.kernel.Process;
import dev.zxd.proto.v1.ChannelCallArgs;
import dev.zxd.proto.v1.ChannelCallReply;
import dev.zxd.proto.v1.ChannelCallRequest;
import dev.zxd.proto.v1.ChannelCreateReply;
import dev.zxd.proto.v1.ChannelCreateRequest;
import dev.zxd.proto.v1.ChannelGrpc;
import dev.zxd.proto.v1.ChannelIovec;
import dev.zxd.proto.v1.ChannelReadEtcReply;
import dev.zxd.proto.v1.ChannelReadEtcRequest;
import dev.zxd.proto.v1.ChannelReadReply;
import dev.zxd.proto.v1.ChannelReadRequest;
import dev.zxd.proto.v1.ChannelWriteEtcReply;
import dev.zxd.proto.v1.ChannelWriteEtcRequest;
import dev.zxd.proto.v1.ChannelWriteReply;
import dev.zxd.proto.v1.ChannelWriteRequest;
import dev.zxd.proto.v1.HandleDisposition;
import dev.zxd.proto.v1.HandleInfo;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;

/** zxd.v1.Channel. Message bytes pass from the request to the kernel and back out as the same ByteString. */
public final class ChannelService extends ChannelGrpc.ChannelImplBase {
  private final Kernel kernel;

  public ChannelService(Kernel kernel) {
    this.kernel = kernel;
  }

  @Override
  public void create(ChannelCreateRequest request, StreamObserver<ChannelCreateReply> out) {
    HandlePairResult r = kernel.channel().create(Calls.caller(), request.getOptions());
    Calls.reply(out, ChannelCreateReply.newBuilder()
        .setStatusValue(r.status()).setOut0(r.out0()).setOut1(r.out1()).build());
  }

  @Override
  public void read(ChannelReadRequest request, StreamObserver<ChannelReadReply> out) {
    ChannelSyscalls.ReadResult r = kernel.channel().read(Calls.caller(), request.getHandle(),
        request.getOptions(), Calls.capacity(request.getNumBytes()), Calls.capacity(request.getNumHandles()));
    ChannelReadReply.Builder reply = ChannelReadReply.newBuilder().setStatusValue(r.status())
        .setBytes(r.bytes()).setActualBytes(r.actualBytes()).setActualHandles(r.actualHandles());
    for (int h : r.handles()) {
      reply.addHandles(h);
    }
    Calls.reply(out, reply.build());
  }

  @Override
  public void readEtc(ChannelReadEtcRequest request, StreamObserver<ChannelReadEtcReply> out) {
    ChannelSyscalls.ReadResult r = kernel.channel().read(Calls.caller(), request.getHandle(),
        request.getOptions(), Calls.capacity(request.getNumBytes()), Calls.capacity(request.getNumHandles()));
    ChannelReadEtcReply.Builder reply = ChannelReadEtcReply.newBuilder().setStatusValue(r.status())
        .setBytes(r.bytes()).setActualBytes(r.actualBytes()).setActualHandles(r.actualHandles());
    for (int i = 0; i < r.handles().length; i++) {
      reply.addHandles(HandleInfo.newBuilder()
          .setHandle(r.handles()[i]).setType(r.types()[i]).setRights(r.rights()[i]));
    }
    Calls.reply(out, reply.build());
  }

  @Override
  public void write(ChannelWriteRequest request, StreamObserver<ChannelWriteReply> out) {
    int status = kernel.channel().write(Calls.caller(), request.getHandle(), request.getOptions(),
        request.getBytes(), iovec(request.getIovecList()), Calls.toArray(request.getHandlesList()));
    Calls.reply(out, ChannelWriteReply.newBuilder().setStatusValue(status).build());
  }

  @Override
  public void writeEtc(ChannelWriteEtcRequest request, StreamObserver<ChannelWriteEtcReply> out) {
    int n = request.getHandlesCount();
    ChannelSyscalls.HandleDisposition[] dispositions = new ChannelSyscalls.HandleDisposition[n];
    for (int i = 0; i < n; i++) {
      HandleDisposition d = request.getHandles(i);
      dispositions[i] = new ChannelSyscalls.HandleDisposition(
          d.getOperation(), d.getHandle(), d.getType(), d.getRights());
    }
    ChannelSyscalls.WriteEtcResult r = kernel.channel().writeEtc(Calls.caller(), request.getHandle(),
        request.getOptions(), request.getBytes(), iovec(request.getIovecList()), dispositions);
    ChannelWriteEtcReply.Builder reply = ChannelWriteEtcReply.newBuilder().setStatusValue(r.status());
    if (r.resultsWritten()) {
      for (int i = 0; i < n; i++) {
        reply.addHandles(request.getHandles(i).toBuilder().setResultValue(dispositions[i].result));
      }
    }
    Calls.reply(out, reply.build());
  }

  @Override
  public void call(ChannelCallRequest request, StreamObserver<ChannelCallReply> out) {
    Process caller = Calls.caller();
    ChannelCallArgs args = request.getArgs();
    Calls.startCancelable(out, () -> kernel.channel().call(caller, request.getHandle(), request.getOptions(),
        request.getDeadline(), args.getWrBytes(), Calls.toArray(args.getWrHandlesList()),
        Calls.capacity(args.getRdNumBytes()), Calls.capacity(args.getRdNumHandles()), r -> {
          ChannelCallReply.Builder reply = ChannelCallReply.newBuilder().setStatusValue(r.status())
              .setRdBytes(r.bytes()).setActualBytes(r.actualBytes()).setActualHandles(r.actualHandles());
          for (int h : r.handles()) {
            reply.addRdHandles(h);
          }
          Calls.replyLater(out, reply.build());
        }));
  }

  private static List<ChannelSyscalls.Iovec> iovec(List<ChannelIovec> entries) {
    if (entries.isEmpty()) {
      return List.of();
    }
    List<ChannelSyscalls.Iovec> out = new ArrayList<>(entries.size());
    for (ChannelIovec v : entries) {
      out.add(new ChannelSyscalls.Iovec(v.getBuffer(), v.getReserved()));
    }
    return out;
  }
}
