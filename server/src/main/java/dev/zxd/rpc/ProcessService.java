package dev.zxd.rpc;

import dev.zxd.kernel.Kernel;
import dev.zxd.kernel.Process;
import dev.zxd.kernel.ProcessSyscalls;
import dev.zxd.kernel.Status;
import dev.zxd.proto.v1.ProcessAttachReply;
import dev.zxd.proto.v1.ProcessAttachRequest;
import dev.zxd.proto.v1.ProcessCreateReply;
import dev.zxd.proto.v1.ProcessCreateRequest;
import dev.zxd.proto.v1.ProcessExitReply;
import dev.zxd.proto.v1.ProcessExitRequest;
import dev.zxd.proto.v1.ProcessGrpc;
import dev.zxd.proto.v1.ProcessKeepAliveReply;
import dev.zxd.proto.v1.ProcessKeepAliveRequest;
import dev.zxd.proto.v1.ProcessStartReply;
import dev.zxd.proto.v1.ProcessStartRequest;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/** zxd.v1.Process: creating processes, and what a client does to be one (attach, keep alive, exit). */
public final class ProcessService extends ProcessGrpc.ProcessImplBase {
  private final Kernel kernel;

  public ProcessService(Kernel kernel) {
    this.kernel = kernel;
  }

  @Override
  public void create(ProcessCreateRequest request, StreamObserver<ProcessCreateReply> out) {
    ProcessSyscalls.CreateResult r = kernel.process().create(
        Calls.callerOrNull(), request.getName(), request.getOptions());
    ProcessCreateReply.Builder reply = ProcessCreateReply.newBuilder().setStatusValue(r.status());
    if (r.status() == Status.OK) {
      reply.setProcessId(r.process().koid()).setSessionToken(r.sessionToken()).setProcHandle(r.procHandle());
    }
    Calls.reply(out, reply.build());
  }

  @Override
  public void start(ProcessStartRequest request, StreamObserver<ProcessStartReply> out) {
    int status = kernel.process().start(Calls.caller(), request.getHandle(), request.getArg1());
    Calls.reply(out, ProcessStartReply.newBuilder().setStatusValue(status).build());
  }

  @Override
  public void exit(ProcessExitRequest request, StreamObserver<ProcessExitReply> out) {
    kernel.process().exit(Calls.caller(), request.getRetcode());
    Calls.reply(out, ProcessExitReply.newBuilder().setStatusValue(Status.OK).build());
  }

  @Override
  public void attach(ProcessAttachRequest request, StreamObserver<ProcessAttachReply> out) {
    Process caller = Calls.caller();
    Calls.startCancelable(out, () -> caller.whenStarted(info -> Calls.replyLater(out,
        ProcessAttachReply.newBuilder()
            .setStatusValue(caller.isAlive() ? Status.OK : Status.ERR_BAD_STATE)
            .setProcessId(info.processId()).setName(info.name()).setArg1(info.arg1()).build())));
  }

  /**
   * Holds the lease while the stream is open. The daemon sends one message now and a last one when the process
   * dies; when the client goes away (stream canceled or its connection lost) the grace period starts.
   */
  @Override
  public void keepAlive(ProcessKeepAliveRequest request, StreamObserver<ProcessKeepAliveReply> out) {
    Process caller = Calls.caller();
    ServerCallStreamObserver<ProcessKeepAliveReply> stream = (ServerCallStreamObserver<ProcessKeepAliveReply>) out;
    KeepAliveStream keepAlive = new KeepAliveStream(caller, stream, kernel.config().gracePeriod().toNanos());
    stream.setOnCancelHandler(keepAlive::onClientGone);
    keepAlive.open();
  }

  /** One KeepAlive stream: a lease holder until the client leaves or the process dies. */
  private static final class KeepAliveStream {
    private final Process process;
    private final ServerCallStreamObserver<ProcessKeepAliveReply> stream;
    private final long graceNanos;
    private boolean closed; // guarded by this
    private Runnable unwatch = () -> {};

    KeepAliveStream(Process process, ServerCallStreamObserver<ProcessKeepAliveReply> stream, long graceNanos) {
      this.process = process;
      this.stream = stream;
      this.graceNanos = graceNanos;
    }

    void open() {
      process.lease().hold();
      synchronized (this) {
        stream.onNext(ProcessKeepAliveReply.newBuilder()
            .setProcessId(process.koid()).setGracePeriod(graceNanos).build());
      }
      Runnable w = process.whenDead(this::onDeath);
      synchronized (this) {
        if (closed) {
          w.run();
        } else {
          unwatch = w;
        }
      }
    }

    private void onDeath() {
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
        try {
          stream.onNext(ProcessKeepAliveReply.newBuilder().setProcessId(process.koid())
              .setGracePeriod(graceNanos).setTerminated(true).setReturnCode(process.returnCode()).build());
          stream.onCompleted();
        } catch (IllegalStateException | io.grpc.StatusRuntimeException gone) {
          // The client left at the same moment.
        }
      }
      process.lease().release();
    }

    void onClientGone() {
      Runnable w;
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
        w = unwatch;
      }
      w.run();
      process.lease().release();
    }
  }
}
