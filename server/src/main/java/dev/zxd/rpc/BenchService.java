package dev.zxd.rpc;

import dev.zxd.proto.v1.BenchEchoReply;
import dev.zxd.proto.v1.BenchEchoRequest;
import dev.zxd.proto.v1.BenchGrpc;
import io.grpc.stub.StreamObserver;

/**
 * zxd.v1.Bench: a bare gRPC echo for {@code zxctl bench --baseline}. It touches no kernel state, needs no
 * session and is registered without the syscall interceptors, so it costs what gRPC costs and nothing more.
 */
public final class BenchService extends BenchGrpc.BenchImplBase {
  @Override
  public void echo(BenchEchoRequest request, StreamObserver<BenchEchoReply> out) {
    out.onNext(BenchEchoReply.newBuilder().setPayload(request.getPayload()).build());
    out.onCompleted();
  }

  @Override
  public StreamObserver<BenchEchoRequest> echoStream(StreamObserver<BenchEchoReply> out) {
    return new StreamObserver<>() {
      @Override
      public void onNext(BenchEchoRequest request) {
        out.onNext(BenchEchoReply.newBuilder().setPayload(request.getPayload()).build());
      }

      @Override
      public void onError(Throwable t) {
        // The client went away; nothing to clean up.
      }

      @Override
      public void onCompleted() {
        out.onCompleted();
      }
    };
  }
}
