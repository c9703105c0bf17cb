package dev.zxd.rpc;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A request frame that does not decode as its message is refused with INVALID_ARGUMENT (gRPC itself would
 * report it as UNKNOWN, "application error"). The request marshaller of every method is wrapped so a decoding
 * failure yields no message instead of an exception; the call is then closed before any syscall runs, and a
 * stream (Kernel/Invoke) is ended as if canceled, so its pending waits are removed.
 */
public final class MalformedRequests {
  private MalformedRequests() {}

  /** {@code service} with every method's requests decoded this way; reflection still sees its schema. */
  public static ServerServiceDefinition refuse(ServerServiceDefinition service) {
    ServiceDescriptor original = service.getServiceDescriptor();
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
      methods.add(guard(m));
    }
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
        .setSchemaDescriptor(original.getSchemaDescriptor());
    methods.forEach(m -> descriptor.addMethod(m.getMethodDescriptor()));
    ServerServiceDefinition.Builder out = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(out::addMethod);
    return out.build();
  }

  private static <ReqT, RespT> ServerMethodDefinition<ReqT, RespT> guard(ServerMethodDefinition<ReqT, RespT> m) {
    MethodDescriptor<ReqT, RespT> method = m.getMethodDescriptor();
    MethodDescriptor.Marshaller<ReqT> decode = method.getRequestMarshaller();
    MethodDescriptor.Marshaller<ReqT> lenient = new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(ReqT value) {
        return decode.stream(value);
      }

      @Override
      public ReqT parse(InputStream stream) {
        try {
          return decode.parse(stream);
        } catch (RuntimeException malformed) {
          return null; // no decoded request is ever null: the listener below knows what it means
        }
      }
    };
    ServerCallHandler<ReqT, RespT> next = m.getServerCallHandler();
    ServerCallHandler<ReqT, RespT> handler = (call, headers) -> refusing(call, next.startCall(call, headers));
    return ServerMethodDefinition.create(method.toBuilder().setRequestMarshaller(lenient).build(), handler);
  }

  private static <ReqT, RespT> ServerCall.Listener<ReqT> refusing(ServerCall<ReqT, RespT> call,
      ServerCall.Listener<ReqT> delegate) {
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
      private boolean refused;

      @Override
      public void onMessage(ReqT message) {
        if (refused) {
          return;
        }
        if (message == null) {
          refused = true;
          call.close(Status.INVALID_ARGUMENT.withDescription("the request frame is not a valid "
              + call.getMethodDescriptor().getFullMethodName() + " request (malformed protobuf)"), new Metadata());
          super.onCancel(); // the handler's clean-up for a call that ends early (streams drop their waits)
          return;
        }
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        if (!refused) {
          super.onHalfClose();
        }
      }

      @Override
      public void onReady() {
        if (!refused) {
          super.onReady();
        }
      }

      @Override
      public void onCancel() {
        if (!refused) {
          super.onCancel();
        }
      }
    };
  }
}
