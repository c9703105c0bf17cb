package dev.zxd.client;

import dev.zxd.proto.v1.InfoProcess;
import dev.zxd.proto.v1.InfoTopic;
import dev.zxd.proto.v1.ObjectGetInfoReply;
import dev.zxd.proto.v1.ObjectGetInfoRequest;
import dev.zxd.proto.v1.ProcessStartRequest;
import dev.zxd.proto.v1.Signal;
import dev.zxd.proto.v1.TaskKillRequest;

/** A handle to another process: start it, wait for ZX_TASK_TERMINATED, kill it. */
public final class ProcessHandle extends Handle {
  /** A child just made: its handle, its id, and the token its client needs to become it. */
  public record Child(ProcessHandle handle, long processId, String sessionToken) {}

  ProcessHandle(ZxProcess process, int value) {
    super(process, value);
  }

  @Override
  protected Handle rewrap(int newValue) {
    return new ProcessHandle(process, newValue);
  }

  /** zx_process_start: moves {@code arg1} (may be null) into the child, which finds it at startup. */
  public void start(Handle arg1) {
    int v = arg1 == null ? 0 : arg1.release();
    ZxException.check(process.stubs().process.start(ProcessStartRequest.newBuilder()
        .setHandle(value()).setArg1(v).build()).getStatus(), "zx_process_start");
  }

  /** zx_task_kill. */
  public void kill() {
    ZxException.check(process.stubs().task.kill(TaskKillRequest.newBuilder().setHandle(value()).build())
        .getStatus(), "zx_task_kill");
  }

  /** ZX_INFO_PROCESS: the child's return code, start time and STARTED / EXITED flags. */
  public InfoProcess info() {
    ObjectGetInfoReply r = process.stubs().object.getInfo(ObjectGetInfoRequest.newBuilder().setHandle(value())
        .setTopic(InfoTopic.ZX_INFO_PROCESS_VALUE).setBufferSize(24).build());
    ZxException.check(r.getStatus(), "zx_object_get_info");
    return r.getProcess();
  }

  /** Waits for ZX_TASK_TERMINATED until {@code deadline}. */
  public void awaitTermination(long deadline) {
    waitOne(Signal.ZX_TASK_TERMINATED_VALUE, deadline);
  }
}
