package dev.zxd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zxd.proto.v1.HandleRef;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Context;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A daemon on a real TCP port for the syscall-stream tests, which must end with no kernel object left, and the
 * pieces of a pipelined request those tests build by hand.
 */
abstract class StreamTestServer {
  ZxdServer server;
  ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    server = ZxdServer.builder().listen(new ListenAddress.Tcp("127.0.0.1", 0)).start();
    channel = ManagedChannelBuilder.forTarget(server.addresses().get(0).toString()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
    assertEquals(0, server.kernel().objects().size());
  }

  /** The channel with {@code token} (if any) as the zx-session of every call. */
  Channel session(String token) {
    Metadata md = new Metadata();
    if (token != null) {
      md.put(SessionStubs.SESSION, token);
    }
    return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(md));
  }

  /** The stand-in handle value for refs[k] of the request that uses it. */
  static int ref(int k) {
    return (k + 1) << 2;
  }

  /** Output {@code index} of the earlier request {@code id}. */
  static HandleRef out(long id, int index) {
    return HandleRef.newBuilder().setId(id).setIndex(index).build();
  }

  /** A client stream that records what it receives and how it ended; closing it cancels the call. */
  static class Recorded<ReqT, RespT> implements AutoCloseable {
    final List<RespT> received = new CopyOnWriteArrayList<>();
    final CompletableFuture<Throwable> ended = new CompletableFuture<>();
    final StreamObserver<ReqT> requests;
    private final Context.CancellableContext context = Context.current().withCancellation();

    Recorded(Function<StreamObserver<RespT>, StreamObserver<ReqT>> open) {
      Context previous = context.attach();
      try {
        requests = open.apply(new StreamObserver<>() {
          @Override
          public void onNext(RespT r) {
            received.add(r);
          }

          @Override
          public void onError(Throwable t) {
            ended.complete(t);
          }

          @Override
          public void onCompleted() {
            ended.complete(null);
          }
        });
      } finally {
        context.detach(previous);
      }
    }

    @Override
    public void close() {
      context.cancel(null);
    }
  }
}
