package dev.zxd.rpc;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Message;
import dev.zxd.proto.v1.KernelGrpc;
import dev.zxd.proto.v1.SyscallReply;
import dev.zxd.proto.v1.SyscallRequest;
import io.grpc.Attributes;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * zxd.v1.Kernel/Invoke: every syscall on one stream. Each request is dispatched through the very same
 * (intercepted) service definition its unary RPC uses, so statuses, session checks, metrics and the trace are
 * identical; only the transport differs. Requests are handled in arrival order on the stream's thread; waits
 * reply when they complete. Inbound messages are requested one at a time while the client keeps reading
 * replies, so a client that stops reading stops being read (gRPC flow control both ways).
 */
public final class SyscallStreamService extends KernelGrpc.KernelImplBase {
  static final Context.Key<Metadata> HEADERS = Context.key("zxd-headers");

  /** One syscall the stream can carry: the oneof fields of request and reply, and the method to run. */
  record Route(FieldDescriptor replyField, ServerMethodDefinition<Message, Message> method) {}

  private final Map<Integer, Route> routes = new HashMap<>();
  private final StreamStallLimit stallLimit;

  /**
   * {@code services}: the intercepted definitions the unary RPCs are served with; {@code stallLimit}: when a
   * stream whose client stopped reading is ended.
   */
  @SuppressWarnings("unchecked")
  public SyscallStreamService(List<ServerServiceDefinition> services, StreamStallLimit stallLimit) {
    this.stallLimit = stallLimit;
    Map<String, ServerMethodDefinition<?, ?>> bySnake = new HashMap<>();
    for (ServerServiceDefinition s : services) {
      for (ServerMethodDefinition<?, ?> m : s.getMethods()) {
        String full = m.getMethodDescriptor().getFullMethodName();
        if (full.startsWith("zxd.v1.")) {
          bySnake.put(snake(SyscallInstrumentation.syscallName(full).replace("/", "")), m);
        }
      }
    }
    OneofDescriptor requests = SyscallRequest.getDescriptor().getOneofs().get(0);
    for (FieldDescriptor f : requests.getFields()) {
      ServerMethodDefinition<?, ?> m = bySnake.get(f.getName());
      if (m == null) {
        throw new IllegalStateException("SyscallRequest." + f.getName() + " has no service method");
      }
      FieldDescriptor reply = SyscallReply.getDescriptor().findFieldByName(f.getName());
      routes.put(f.getNumber(), new Route(reply, (ServerMethodDefinition<Message, Message>) m));
    }
  }

  /** "ChannelWriteEtc" -> "channel_write_etc". */
  static String snake(String camel) {
    return camel.replaceAll("(?<!^)(?=[A-Z])", "_").toLowerCase();
  }

  @Override
  public StreamObserver<SyscallRequest> invoke(StreamObserver<SyscallReply> responses) {
    ServerCallStreamObserver<SyscallReply> out = (ServerCallStreamObserver<SyscallReply>) responses;
    InvokeStream stream = new InvokeStream(this, out, HEADERS.get());
    out.disableAutoRequest();
    out.setOnReadyHandler(stream::onReady);
    out.setOnCancelHandler(stream::onCancel);
    // Keep a window of requests in flight from the transport; each one handled asks for one more while the
    // client keeps reading replies (see InvokeStream.onNext), so a client that stops reading stops being read.
    out.request(InvokeStream.INBOUND_WINDOW);
    return stream;
  }

  StreamStallLimit stallLimit() {
    return stallLimit;
  }

  Route route(int fieldNumber) {
    return routes.get(fieldNumber);
  }

  /** A ServerCall that lives inside the stream: its reply becomes one SyscallReply. */
  static final class InlineCall extends ServerCall<Message, Message> {
    private final InvokeStream stream;
    private final long id;
    private final Route route;
    private boolean replied;
    volatile boolean cancelled;

    InlineCall(InvokeStream stream, long id, Route route) {
      this.stream = stream;
      this.id = id;
      this.route = route;
    }

    @Override
    public void request(int numMessages) {}

    @Override
    public void sendHeaders(Metadata headers) {}

    @Override
    public void sendMessage(Message message) {
      replied = true;
      stream.completed(id, route, message);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      if (!replied) {
        stream.failed(id, status);
      }
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public Attributes getAttributes() {
      return Attributes.EMPTY;
    }

    @Override
    public MethodDescriptor<Message, Message> getMethodDescriptor() {
      return route.method().getMethodDescriptor();
    }

    @Override
    public boolean isReady() {
      return true;
    }
  }

  static Descriptor requestDescriptor() {
    return SyscallRequest.getDescriptor();
  }
}
