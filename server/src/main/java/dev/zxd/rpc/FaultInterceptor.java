package dev.zxd.rpc;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a kernel bug becomes a gRPC error: a syscall that throws instead of returning a status is
 * reported as INTERNAL (with the exception logged), never as a silent UNKNOWN.
 */
public final class FaultInterceptor implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger(FaultInterceptor.class);

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    ServerCall.Listener<ReqT> delegate = next.startCall(call, headers);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
      @Override
      public void onMessage(ReqT message) {
        try {
          super.onMessage(message);
        } catch (RuntimeException e) {
          fail(call, e);
        }
      }

      @Override
      public void onHalfClose() {
        try {
          super.onHalfClose();
        } catch (RuntimeException e) {
          fail(call, e);
        }
      }
    };
  }

  private static void fail(ServerCall<?, ?> call, RuntimeException e) {
    String method = call.getMethodDescriptor().getFullMethodName();
    log.error("kernel fault in {}", method, e);
    try {
      call.close(Status.INTERNAL.withDescription("kernel fault in " + method + ": " + e), new Metadata());
    } catch (IllegalStateException alreadyClosed) {
      // The reply went out before the fault; nothing more to tell the client.
    }
  }
}
