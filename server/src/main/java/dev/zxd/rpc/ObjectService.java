package dev.zxd.rpc;

import dev.zxd.kernel.InfoRecord;
import dev.zxd.kernel.Kernel;
import dev.zxd.kernel.ObjectSyscalls;
import dev.zxd.kernel.Process;
import dev.zxd.proto.v1.InfoHandleBasic;
import dev.zxd.proto.v1.InfoHandleCount;
import dev.zxd.proto.v1.InfoProcess;
import dev.zxd.proto.v1.InfoProcessHandleStats;
import dev.zxd.proto.v1.InfoSocket;
import dev.zxd.proto.v1.InfoVmo;
import dev.zxd.proto.v1.ObjectGetInfoReply;
import dev.zxd.proto.v1.ObjectGetInfoRequest;
import dev.zxd.proto.v1.ObjectGetPropertyReply;
import dev.zxd.proto.v1.ObjectGetPropertyRequest;
import dev.zxd.proto.v1.ObjectGrpc;
import dev.zxd.proto.v1.ObjectSetPropertyReply;
import dev.zxd.proto.v1.ObjectSetPropertyRequest;
import dev.zxd.proto.v1.ObjectSignalPeerReply;
import dev.zxd.proto.v1.ObjectSignalPeerRequest;
import dev.zxd.proto.v1.ObjectSignalReply;
import dev.zxd.proto.v1.ObjectSignalRequest;
import dev.zxd.proto.v1.ObjectWaitAsyncReply;
import dev.zxd.proto.v1.ObjectWaitAsyncRequest;
import dev.zxd.proto.v1.ObjectWaitManyReply;
import dev.zxd.proto.v1.ObjectWaitManyRequest;
import dev.zxd.proto.v1.ObjectWaitOneReply;
import dev.zxd.proto.v1.ObjectWaitOneRequest;
import dev.zxd.proto.v1.WaitItem;
import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;

/** zxd.v1.Object. */
public final class ObjectService extends ObjectGrpc.ObjectImplBase {
  private final Kernel kernel;

  public ObjectService(Kernel kernel) {
    this.kernel = kernel;
  }

  @Override
  public void getInfo(ObjectGetInfoRequest request, StreamObserver<ObjectGetInfoReply> out) {
    ObjectSyscalls.InfoResult r = kernel.object().getInfo(
        Calls.caller(), request.getHandle(), request.getTopic(), Calls.capacity(request.getBufferSize()));
    ObjectGetInfoReply.Builder reply = ObjectGetInfoReply.newBuilder()
        .setStatusValue(r.status()).setActual(r.actual()).setAvail(r.avail());
    InfoRecord record = r.record();
    if (record instanceof InfoRecord.HandleBasic b) {
      reply.setHandleBasic(InfoHandleBasic.newBuilder().setKoid(b.koid()).setRights(b.rights())
          .setType(b.type()).setRelatedKoid(b.relatedKoid()));
    } else if (record instanceof InfoRecord.HandleCount c) {
      reply.setHandleCount(InfoHandleCount.newBuilder().setHandleCount(c.handleCount()));
    } else if (record instanceof InfoRecord.ProcessHandleStats s) {
      InfoProcessHandleStats.Builder stats = InfoProcessHandleStats.newBuilder();
      for (int n : s.handleCount()) {
        stats.addHandleCount(n);
      }
      reply.setProcessHandleStats(stats);
    } else if (record instanceof InfoRecord.ProcessInfo pi) {
      reply.setProcess(InfoProcess.newBuilder().setReturnCode(pi.returnCode()).setStartTime(pi.startTime())
          .setFlags(pi.flags()));
    } else if (record instanceof InfoRecord.VmoInfo v) {
      reply.setVmo(InfoVmo.newBuilder().setKoid(v.koid()).setName(v.name()).setSizeBytes(v.sizeBytes())
          .setShareCount(v.shareCount()).setFlags(v.flags()).setCommittedBytes(v.committedBytes())
          .setHandleRights(v.handleRights()));
    } else if (record instanceof InfoRecord.SocketInfo i) {
      reply.setSocket(InfoSocket.newBuilder().setOptions(i.options()).setRxBufMax(i.rxBufMax())
          .setRxBufSize(i.rxBufSize()).setRxBufAvailable(i.rxBufAvailable()).setTxBufMax(i.txBufMax())
          .setTxBufSize(i.txBufSize()));
    }
    Calls.reply(out, reply.build());
  }

  @Override
  public void signal(ObjectSignalRequest request, StreamObserver<ObjectSignalReply> out) {
    int status = kernel.object().signal(
        Calls.caller(), request.getHandle(), request.getClearMask(), request.getSetMask());
    Calls.reply(out, ObjectSignalReply.newBuilder().setStatusValue(status).build());
  }

  @Override
  public void signalPeer(ObjectSignalPeerRequest request, StreamObserver<ObjectSignalPeerReply> out) {
    int status = kernel.object().signalPeer(
        Calls.caller(), request.getHandle(), request.getClearMask(), request.getSetMask());
    Calls.reply(out, ObjectSignalPeerReply.newBuilder().setStatusValue(status).build());
  }

  @Override
  public void waitOne(ObjectWaitOneRequest request, StreamObserver<ObjectWaitOneReply> out) {
    Process caller = Calls.caller();
    Calls.startCancelable(out, () -> kernel.object().waitOne(
        caller, request.getHandle(), request.getSignals(), request.getDeadline(),
        r -> Calls.replyLater(out, ObjectWaitOneReply.newBuilder()
            .setStatusValue(r.status()).setObserved(r.observed()).build())));
  }

  @Override
  public void waitMany(ObjectWaitManyRequest request, StreamObserver<ObjectWaitManyReply> out) {
    Process caller = Calls.caller();
    int n = request.getItemsCount();
    int[] handles = new int[n];
    int[] waitfor = new int[n];
    for (int i = 0; i < n; i++) {
      handles[i] = request.getItems(i).getHandle();
      waitfor[i] = request.getItems(i).getWaitfor();
    }
    Calls.startCancelable(out, () -> kernel.object().waitMany(caller, handles, waitfor, request.getDeadline(), r -> {
      ObjectWaitManyReply.Builder reply = ObjectWaitManyReply.newBuilder().setStatusValue(r.status());
      for (int i = 0; i < r.pending().length; i++) {
        reply.addItems(WaitItem.newBuilder()
            .setHandle(handles[i]).setWaitfor(waitfor[i]).setPending(r.pending()[i]));
      }
      Calls.replyLater(out, reply.build());
    }));
  }

  @Override
  public void waitAsync(ObjectWaitAsyncRequest request, StreamObserver<ObjectWaitAsyncReply> out) {
    int status = kernel.port().waitAsync(Calls.caller(), request.getHandle(), request.getPort(), request.getKey(),
        request.getSignals(), request.getOptions());
    Calls.reply(out, ObjectWaitAsyncReply.newBuilder().setStatusValue(status).build());
  }

  @Override
  public void getProperty(ObjectGetPropertyRequest request, StreamObserver<ObjectGetPropertyReply> out) {
    ObjectSyscalls.PropertyResult r = kernel.object().getProperty(
        Calls.caller(), request.getHandle(), request.getProperty(), Calls.capacity(request.getValueSize()));
    Calls.reply(out, ObjectGetPropertyReply.newBuilder().setStatusValue(r.status())
        .setValue(ByteString.copyFrom(r.value())).setNumber(r.number()).build());
  }

  @Override
  public void setProperty(ObjectSetPropertyRequest request, StreamObserver<ObjectSetPropertyReply> out) {
    int status = kernel.object().setProperty(Calls.caller(), request.getHandle(), request.getProperty(),
        request.getValue().toByteArray(), request.getNumber());
    Calls.reply(out, ObjectSetPropertyReply.newBuilder().setStatusValue(status).build());
  }
}
