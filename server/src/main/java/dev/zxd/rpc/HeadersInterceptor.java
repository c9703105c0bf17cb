package dev.zxd.rpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/** Hands a stream's request headers to the syscall stream, which replays them for every syscall it runs. */
public final class HeadersInterceptor implements ServerInterceptor {
  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    return Contexts.interceptCall(Context.current().withValue(SyscallStreamService.HEADERS, headers), call, headers,
        next);
  }
}
