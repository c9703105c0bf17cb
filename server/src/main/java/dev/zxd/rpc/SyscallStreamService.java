package dev.zxd.rpc;

import dev.zxd.proto.v1.KernelGrpc;
import dev.zxd.proto.v1.SyscallBatch;
import dev.zxd.proto.v1.SyscallReply;
import dev.zxd.proto.v1.SyscallReplyBatch;
import dev.zxd.proto.v1.SyscallRequest;
import io.grpc.BindableService;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.function.Function;

/**
 * zxd.v1.Kernel/Invoke and InvokeBatch: every syscall on one stream. Each request runs the very service method
 * its unary RPC runs, under the stream's session, measured and traced the same way, so statuses, metrics and the
 * trace are identical; only the transport differs (and the per-call interceptor work is done once per stream).
 * Inbound messages are requested one at a time while the client keeps reading replies, so a client that stops
 * reading stops being read (gRPC flow control both ways).
 */
public final class SyscallStreamService extends KernelGrpc.KernelImplBase {
  private final SyscallRoutes routes;
  private final SyscallInstrumentation instrumentation;
  private final StreamStallLimit stallLimit;

  /**
   * {@code syscalls}: the service objects the unary RPCs are served by (not their intercepted definitions);
   * {@code stallLimit}: when a stream whose client stopped reading is ended.
   */
  public SyscallStreamService(List<BindableService> syscalls, SyscallInstrumentation instrumentation,
      StreamStallLimit stallLimit) {
    this.routes = new SyscallRoutes(syscalls);
    this.instrumentation = instrumentation;
    this.stallLimit = stallLimit;
  }

  @Override
  public StreamObserver<SyscallRequest> invoke(StreamObserver<SyscallReply> responses) {
    return inbound(open(responses, false), List::of);
  }

  @Override
  public StreamObserver<SyscallBatch> invokeBatch(StreamObserver<SyscallReplyBatch> responses) {
    return inbound(open(responses, true), SyscallBatch::getRequestsList);
  }

  /** The stream's inbound side: each transport message becomes the requests it carries. */
  private static <T> StreamObserver<T> inbound(InvokeStream stream, Function<T, List<SyscallRequest>> requests) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T message) {
        stream.onMessage(requests.apply(message));
      }

      @Override
      public void onError(Throwable t) {
        stream.onError(t);
      }

      @Override
      public void onCompleted() {
        stream.onCompleted();
      }
    };
  }

  private InvokeStream open(StreamObserver<?> responses, boolean batched) {
    ServerCallStreamObserver<?> out = (ServerCallStreamObserver<?>) responses;
    InvokeStream stream = new InvokeStream(routes, instrumentation, out, batched, stallLimit);
    out.disableAutoRequest();
    out.setOnReadyHandler(stream::onReady);
    out.setOnCancelHandler(stream::onCancel);
    // Keep a window of messages in flight from the transport; each one handled asks for one more while the
    // client keeps reading replies, so a client that stops reading stops being read.
    out.request(InvokeStream.INBOUND_WINDOW);
    return stream;
  }
}
