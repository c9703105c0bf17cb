package dev.zxd.rpc;

import dev.zxd.kernel.HandlePairResult;
import dev.zxd.kernel.HandleResult;
import dev.zxd.kernel.Kernel;
import dev.zxd.kernel.ProtocolInfoTokens;
import dev.zxd.kernel.SocketSyscalls;
import dev.zxd.proto.v1.ProtocolInfo;
import dev.zxd.proto.v1.SocketAcceptReply;
import dev.zxd.proto.v1.SocketAcceptRequest;
import dev.zxd.proto.v1.SocketCreateFromProtocolInfoReply;
import dev.zxd.proto.v1.SocketCreateFromProtocolInfoRequest;
import dev.zxd.proto.v1.SocketCreateReply;
import dev.zxd.proto.v1.SocketCreateRequest;
import dev.zxd.proto.v1.SocketDuplicateForProcessReply;
import dev.zxd.proto.v1.SocketDuplicateForProcessRequest;
import dev.zxd.proto.v1.SocketGrpc;
import dev.zxd.proto.v1.SocketReadReply;
import dev.zxd.proto.v1.SocketReadRequest;
import dev.zxd.proto.v1.SocketShareReply;
import dev.zxd.proto.v1.SocketShareRequest;
import dev.zxd.proto.v1.SocketShutdownReply;
import dev.zxd.proto.v1.SocketShutdownRequest;
import dev.zxd.proto.v1.SocketWriteReply;
import dev.zxd.proto.v1.SocketWriteRequest;
import io.grpc.stub.StreamObserver;

/** zxd.v1.Socket. */
public final class SocketService extends SocketGrpc.SocketImplBase {
  private final Kernel kernel;

  public SocketService(Kernel kernel) {
    this.kernel = kernel;
  }

  @Override
  public void create(SocketCreateRequest request, StreamObserver<SocketCreateReply> out) {
    HandlePairResult r = kernel.socket().create(Calls.caller(), request.getOptions());
    Calls.reply(out, SocketCreateReply.newBuilder()
        .setStatusValue(r.status()).setOut0(r.out0()).setOut1(r.out1()).build());
  }

  @Override
  public void write(SocketWriteRequest request, StreamObserver<SocketWriteReply> out) {
    SocketSyscalls.WriteResult r = kernel.socket().write(
        Calls.caller(), request.getHandle(), request.getOptions(), request.getBuffer());
    Calls.reply(out, SocketWriteReply.newBuilder().setStatusValue(r.status()).setActual(r.actual()).build());
  }

  @Override
  public void read(SocketReadRequest request, StreamObserver<SocketReadReply> out) {
    SocketSyscalls.ReadResult r = kernel.socket().read(Calls.caller(), request.getHandle(),
        request.getOptions(), (int) Math.min(Integer.MAX_VALUE, request.getBufferSize() & 0xFFFFFFFFL));
    Calls.reply(out, SocketReadReply.newBuilder().setStatusValue(r.status())
        .setBuffer(r.bytes()).setActual(r.actual()).build());
  }

  @Override
  public void shutdown(SocketShutdownRequest request, StreamObserver<SocketShutdownReply> out) {
    int status = kernel.socket().shutdown(Calls.caller(), request.getHandle(), request.getOptions());
    Calls.reply(out, SocketShutdownReply.newBuilder().setStatusValue(status).build());
  }

  @Override
  public void share(SocketShareRequest request, StreamObserver<SocketShareReply> out) {
    int status = kernel.socket().share(Calls.caller(), request.getHandle(), request.getSocketToShare());
    Calls.reply(out, SocketShareReply.newBuilder().setStatusValue(status).build());
  }

  @Override
  public void accept(SocketAcceptRequest request, StreamObserver<SocketAcceptReply> out) {
    HandleResult r = kernel.socket().accept(Calls.caller(), request.getHandle());
    Calls.reply(out, SocketAcceptReply.newBuilder().setStatusValue(r.status()).setOutSocket(r.out()).build());
  }

  @Override
  public void duplicateForProcess(SocketDuplicateForProcessRequest request,
      StreamObserver<SocketDuplicateForProcessReply> out) {
    SocketSyscalls.TokenResult r = kernel.socket().duplicateForProcess(
        Calls.caller(), request.getHandle(), request.getProcessId());
    SocketDuplicateForProcessReply.Builder reply = SocketDuplicateForProcessReply.newBuilder()
        .setStatusValue(r.status());
    if (r.info() != null) {
      ProtocolInfoTokens.Issued i = r.info();
      reply.setProtocolInfo(ProtocolInfo.newBuilder().setToken(i.token()).setOptions(i.options())
          .setSourceProcessId(i.sourceProcessId()).setTargetProcessId(i.targetProcessId())
          .setSocketKoid(i.socketKoid()).setRights(i.rights()).setExpiresAt(i.expiresAt()));
    }
    Calls.reply(out, reply.build());
  }

  @Override
  public void createFromProtocolInfo(SocketCreateFromProtocolInfoRequest request,
      StreamObserver<SocketCreateFromProtocolInfoReply> out) {
    HandleResult r = kernel.socket().createFromProtocolInfo(Calls.caller(), request.getProtocolInfo().getToken());
    Calls.reply(out, SocketCreateFromProtocolInfoReply.newBuilder()
        .setStatusValue(r.status()).setOut(r.out()).build());
  }
}
