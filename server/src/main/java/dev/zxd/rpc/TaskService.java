package dev.zxd.rpc;

import dev.zxd.kernel.Kernel;
import dev.zxd.proto.v1.TaskGrpc;
import dev.zxd.proto.v1.TaskKillReply;
import dev.zxd.proto.v1.TaskKillRequest;
import io.grpc.stub.StreamObserver;

/** zxd.v1.Task. */
public final class TaskService extends TaskGrpc.TaskImplBase {
  private final Kernel kernel;

  public TaskService(Kernel kernel) {
    this.kernel = kernel;
  }

  @Override
  public void kill(TaskKillRequest request, StreamObserver<TaskKillReply> out) {
    int status = kernel.process().kill(Calls.caller(), request.getHandle());
    Calls.reply(out, TaskKillReply.newBuilder().setStatusValue(status).build());
  }
}
