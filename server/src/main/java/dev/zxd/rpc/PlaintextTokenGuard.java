package dev.zxd.rpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Installed on a plaintext TCP listener bound to a non-loopback address: session and admin tokens would cross
 * the network in the clear there, so calls that carry one ({@code zx-session}, {@code zx-admin}) and the call
 * that hands one out ({@code Process/Create}) are refused. What is refused depends on the listener, not on
 * the peer: a listener on 0.0.0.0 refuses a client that came in through 127.0.0.1 too, because the same
 * listener also takes calls from the network.
 */
public final class PlaintextTokenGuard implements ServerInterceptor {
  private static final String PROCESS_CREATE = "zxd.v1.Process/Create";

  private final String host;

  /** {@code host}: the address the listener is bound to, for the refusal's description. */
  public PlaintextTokenGuard(String host) {
    this.host = host;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    if (headers.containsKey(AdminInterceptor.ADMIN_KEY)) {
      return refuse(call, Status.PERMISSION_DENIED, "the zx-admin token");
    }
    if (headers.containsKey(SessionInterceptor.SESSION_KEY)) {
      return refuse(call, Status.UNAUTHENTICATED, "the zx-session token");
    }
    if (call.getMethodDescriptor().getFullMethodName().equals(PROCESS_CREATE)) {
      return refuse(call, Status.UNAUTHENTICATED, "a new session token");
    }
    return next.startCall(call, headers);
  }

  private <ReqT, RespT> ServerCall.Listener<ReqT> refuse(ServerCall<ReqT, RespT> call, Status status,
      String what) {
    call.close(status.withDescription("refused to carry " + what + " in plaintext: the listener on " + host
        + " is not TLS and not loopback-only; use TLS (--tls-cert/--tls-key), a loopback or unix: listener, "
        + "or set allow-plaintext-tokens=true"), new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
