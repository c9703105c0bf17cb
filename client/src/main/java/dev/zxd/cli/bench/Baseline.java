package dev.zxd.cli.bench;

import com.google.protobuf.ByteString;
import dev.zxd.proto.v1.BenchEchoReply;
import dev.zxd.proto.v1.BenchEchoRequest;
import dev.zxd.proto.v1.BenchGrpc;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The bare gRPC echo the daemon serves (zxd.v1.Bench, no session, no syscall interceptors), measured with the
 * same payload size, lanes and time as the pattern: unary (one RPC per message) and a bidirectional stream
 * (all lanes' messages in flight on one stream, as a process's Kernel/Invoke stream carries them).
 */
final class Baseline {
  private Baseline() {}

  static Measurement unary(ManagedChannel channel, Runner runner, int lanes, int size, Runner.Limits limits) {
    BenchGrpc.BenchFutureStub stub = BenchGrpc.newFutureStub(channel);
    BenchEchoRequest req = BenchEchoRequest.newBuilder().setPayload(ByteString.copyFrom(new byte[size])).build();
    List<Runner.Lane> ls = new ArrayList<>();
    for (int i = 0; i < lanes; i++) {
      ls.add(() -> Sys.cf(stub.echo(req)));
    }
    return runner.run("echo-unary", "bare gRPC unary echo of " + size + " B (Bench/Echo), " + lanes
        + " in flight", ls, limits, size);
  }

  static Measurement stream(ManagedChannel channel, Runner runner, int lanes, int size, Runner.Limits limits) {
    BenchEchoRequest req = BenchEchoRequest.newBuilder().setPayload(ByteString.copyFrom(new byte[size])).build();
    Context.CancellableContext ctx = Context.current().withCancellation();
    ArrayDeque<CompletableFuture<BenchEchoReply>> pending = new ArrayDeque<>();
    StreamObserver<BenchEchoRequest> requests;
    Context previous = ctx.attach();
    try {
      requests = BenchGrpc.newStub(channel).echoStream(new StreamObserver<>() {
        @Override
        public void onNext(BenchEchoReply reply) {
          CompletableFuture<BenchEchoReply> f;
          synchronized (pending) {
            f = pending.poll();
          }
          if (f != null) {
            f.complete(reply);
          }
        }

        @Override
        public void onError(Throwable t) {
          failAll(t);
        }

        @Override
        public void onCompleted() {
          failAll(new IllegalStateException("echo stream ended"));
        }

        private void failAll(Throwable t) {
          List<CompletableFuture<BenchEchoReply>> all;
          synchronized (pending) {
            all = new ArrayList<>(pending);
            pending.clear();
          }
          all.forEach(f -> f.completeExceptionally(t));
        }
      });
    } finally {
      ctx.detach(previous);
    }
    List<Runner.Lane> ls = new ArrayList<>();
    for (int i = 0; i < lanes; i++) {
      ls.add(() -> {
        CompletableFuture<BenchEchoReply> f = new CompletableFuture<>();
        synchronized (pending) {
          pending.add(f);
          requests.onNext(req);
        }
        return f;
      });
    }
    try {
      return runner.run("echo-stream", "bare gRPC bidirectional-stream echo of " + size + " B (Bench/EchoStream), "
          + lanes + " in flight on one stream", ls, limits, size);
    } finally {
      synchronized (pending) {
        requests.onCompleted();
      }
      ctx.cancel(null);
    }
  }
}
