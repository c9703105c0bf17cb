package dev.zxd.rpc;

import dev.zxd.kernel.Kernel;
import dev.zxd.kernel.Process;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Set;

/**
 * Resolves the {@code zx-session} metadata to the calling process once per call, renews its lease, and makes
 * it available to the service through {@link #PROCESS}. A call without a session is refused (UNAUTHENTICATED),
 * except the few that make sense outside any process.
 */
public final class SessionInterceptor implements ServerInterceptor {
  public static final Metadata.Key<String> SESSION_KEY =
      Metadata.Key.of("zx-session", Metadata.ASCII_STRING_MARSHALLER);
  static final Context.Key<Process> PROCESS = Context.key("zxd-process");

  /** Methods a client may call without being a process. */
  private static final Set<String> SESSIONLESS = Set.of(
      "zxd.v1.Process/Create",
      "zxd.v1.Clock/GetMonotonic",
      "zxd.v1.Bench/Echo",
      "zxd.v1.Bench/EchoStream");

  private final Kernel kernel;

  public SessionInterceptor(Kernel kernel) {
    this.kernel = kernel;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String token = headers.get(SESSION_KEY);
    if (token == null) {
      if (SESSIONLESS.contains(call.getMethodDescriptor().getFullMethodName())) {
        return next.startCall(call, headers);
      }
      return refuse(call, "no zx-session metadata: create a process with Process/Create first");
    }
    Process process = kernel.processes().resolve(token);
    if (process == null) {
      // Never echo the token: it is a secret.
      return refuse(call, "unknown session: the process does not exist or has exited");
    }
    process.lease().renew();
    Context context = Context.current().withValue(PROCESS, process);
    return Contexts.interceptCall(context, call, headers, next);
  }

  private static <ReqT, RespT> ServerCall.Listener<ReqT> refuse(ServerCall<ReqT, RespT> call, String why) {
    call.close(Status.UNAUTHENTICATED.withDescription(why), new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
