package dev.zxd.rpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Guards the Debug service when the daemon has an admin token: the call must carry it in {@code zx-admin}.
 * Compared in constant time; never logged.
 */
public final class AdminInterceptor implements ServerInterceptor {
  public static final Metadata.Key<String> ADMIN_KEY = Metadata.Key.of("zx-admin", Metadata.ASCII_STRING_MARSHALLER);

  private final byte[] token;

  /** {@code adminToken} empty: no check. */
  public AdminInterceptor(String adminToken) {
    this.token = adminToken == null || adminToken.isEmpty() ? null : adminToken.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    if (token != null) {
      String given = headers.get(ADMIN_KEY);
      if (given == null || !MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
        call.close(Status.PERMISSION_DENIED.withDescription(
            "this daemon requires its admin token in the zx-admin metadata for Debug calls"), new Metadata());
        return new ServerCall.Listener<>() {};
      }
    }
    return next.startCall(call, headers);
  }
}
