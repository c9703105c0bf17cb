package dev.zxd.rpc;

import com.google.protobuf.Message;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;

/**
 * The reply path of one syscall run on a syscall stream: the service method replies here exactly as it would to
 * its unary call, and the reply becomes one SyscallReply. A wait registers its cancel action here (as it would
 * on a unary call), so ending the stream abandons it.
 */
final class InlineReply extends ServerCallStreamObserver<Message> {
  final long id;
  final SyscallRoutes.Route route;
  final long ticket; // its entry in the stream's Outcomes
  final boolean quiet; // no reply on ZX_OK
  private final InvokeStream stream;
  final SyscallInstrumentation.Recorder recorder;
  private boolean replied; // guarded by this
  private boolean cancelled; // guarded by this
  private Runnable onCancel; // guarded by this

  InlineReply(InvokeStream stream, long id, boolean quiet, SyscallRoutes.Route route, long ticket,
      SyscallInstrumentation.Recorder recorder) {
    this.stream = stream;
    this.id = id;
    this.route = route;
    this.ticket = ticket;
    this.quiet = quiet;
    this.recorder = recorder;
  }

  @Override
  public void onNext(Message reply) {
    synchronized (this) {
      if (replied) {
        return;
      }
      replied = true;
    }
    int status = route.status(reply);
    recorder.finishUnguarded(reply, status); // replied, above, lets only one of onNext, failed and cancel past
    stream.completed(this, reply, status);
  }

  @Override
  public void onError(Throwable t) {
    failed(Status.fromThrowable(t));
  }

  /** The service method threw: the same INTERNAL the unary call's fault interceptor would give. */
  void fault(RuntimeException e) {
    failed(Status.INTERNAL.withDescription("kernel fault in " + route.syscall + ": " + e));
  }

  private void failed(Status status) {
    synchronized (this) {
      if (replied) {
        return;
      }
      replied = true;
    }
    recorder.closed(status);
    stream.failed(this, status);
  }

  @Override
  public void onCompleted() {}

  @Override
  public void setOnCancelHandler(Runnable handler) {
    boolean runNow;
    synchronized (this) {
      runNow = cancelled;
      onCancel = handler;
    }
    if (runNow) {
      handler.run();
    } else {
      stream.cancelable(this);
    }
  }

  /** The stream ended before this syscall replied. */
  void cancel() {
    Runnable action;
    synchronized (this) {
      if (replied || cancelled) {
        return;
      }
      cancelled = true;
      replied = true;
      action = onCancel;
    }
    recorder.closed(Status.CANCELLED);
    if (action != null) {
      action.run();
    }
  }

  @Override
  public synchronized boolean isCancelled() {
    return cancelled;
  }

  @Override
  public boolean isReady() {
    return true;
  }

  @Override
  public void setOnReadyHandler(Runnable onReadyHandler) {}

  @Override
  public void disableAutoInboundFlowControl() {}

  @Override
  public void request(int count) {}

  @Override
  public void setMessageCompression(boolean enable) {}

  @Override
  public void setCompression(String compression) {}
}
