package dev.zxd.client;

import dev.zxd.proto.v1.HandleRef;
import dev.zxd.proto.v1.KernelGrpc;
import dev.zxd.proto.v1.SyscallBatch;
import dev.zxd.proto.v1.SyscallReply;
import dev.zxd.proto.v1.SyscallReplyBatch;
import dev.zxd.proto.v1.SyscallRequest;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The asynchronous face of a process: syscalls on one Kernel/InvokeBatch stream, each answered by a
 * {@link CompletableFuture}, and batches whose requests use the handles earlier ones make without waiting
 * for them (pipelining). A batch travels as one transport message and its immediate replies come back as one.
 *
 * <pre>{@code
 * try (SyscallStream s = process.stream()) {
 *   SyscallStream.Batch b = s.batch();
 *   var create = b.add(r -> r.proto().setChannelCreate(ChannelCreateRequest.getDefaultInstance()));
 *   var write = b.add(r -> r.proto().setChannelWrite(ChannelWriteRequest.newBuilder()
 *       .setHandle(r.ref(create, 0)).setBytes(ByteString.copyFromUtf8("hi"))));
 *   var read = b.add(r -> r.proto().setChannelRead(ChannelReadRequest.newBuilder()
 *       .setHandle(r.ref(create, 1)).setNumBytes(64)));
 *   b.send();
 *   read.reply().join().getChannelRead().getBytes();   // "hi", after one round trip in all
 * }
 * }</pre>
 */
public final class SyscallStream implements AutoCloseable {
  private final AtomicLong nextId = new AtomicLong(1);
  private final Map<Long, CompletableFuture<SyscallReply>> pending = new ConcurrentHashMap<>();
  private final Context.CancellableContext context = Context.current().withCancellation();
  private final StreamObserver<SyscallBatch> requests;
  private volatile Throwable failure;

  SyscallStream(io.grpc.Channel sessionChannel) {
    KernelGrpc.KernelStub stub = KernelGrpc.newStub(sessionChannel);
    Context previous = context.attach();
    try {
      requests = stub.invokeBatch(new StreamObserver<>() {
        @Override
        public void onNext(SyscallReplyBatch replies) {
          for (SyscallReply reply : replies.getRepliesList()) {
            CompletableFuture<SyscallReply> f = pending.remove(reply.getId());
            if (f != null) {
              f.complete(reply);
            }
          }
        }

        @Override
        public void onError(Throwable t) {
          fail(t);
        }

        @Override
        public void onCompleted() {
          fail(new IllegalStateException("the syscall stream ended"));
        }
      });
    } finally {
      context.detach(previous);
    }
  }

  private void fail(Throwable t) {
    failure = t;
    pending.values().forEach(f -> f.completeExceptionally(t));
    pending.clear();
  }

  /** Sends one syscall; the future completes with its reply (whatever its status). */
  public CompletableFuture<SyscallReply> call(SyscallRequest.Builder request) {
    long id = nextId.getAndIncrement();
    CompletableFuture<SyscallReply> f = new CompletableFuture<>();
    if (failure != null) {
      f.completeExceptionally(failure);
      return f;
    }
    pending.put(id, f);
    synchronized (requests) {
      requests.onNext(SyscallBatch.newBuilder().addRequests(request.setId(id)).build());
    }
    return f;
  }

  public Batch batch() {
    return new Batch();
  }

  /** Ends the stream; waits still pending on it are abandoned. */
  @Override
  public void close() {
    context.cancel(null);
  }

  /** One request of a batch: its id, and later its reply. */
  public interface Step {
    long id();

    CompletableFuture<SyscallReply> reply();
  }

  /** A request being written: the proto to fill, and {@link #ref} for handles earlier steps will make. */
  public static final class Request {
    private final SyscallRequest.Builder proto = SyscallRequest.newBuilder();

    public SyscallRequest.Builder proto() {
      return proto;
    }

    /** This request runs in the daemon only once {@code step} has completed (whatever its status). */
    public Request after(Step step) {
      proto.addAfter(step.id());
      return this;
    }

    /** A stand-in handle value meaning "output {@code index} of {@code step}" (resolved by the daemon). */
    public int ref(Step step, int index) {
      proto.addRefs(HandleRef.newBuilder().setId(step.id()).setIndex(index));
      return proto.getRefsCount() << 2;
    }
  }

  /** Requests sent together, later ones using earlier ones' handles; one round trip for all. */
  public final class Batch {
    private final List<SyscallRequest.Builder> requests = new ArrayList<>();
    private final List<StepImpl> steps = new ArrayList<>();

    public Step add(Consumer<Request> fill) {
      Request r = new Request();
      fill.accept(r);
      StepImpl step = new StepImpl(nextId.getAndIncrement());
      requests.add(r.proto.setId(step.id));
      steps.add(step);
      return step;
    }

    /** Sends every request now, in order; completes when all have replied. */
    public CompletableFuture<List<SyscallReply>> send() {
      SyscallBatch.Builder batch = SyscallBatch.newBuilder();
      for (int i = 0; i < requests.size(); i++) {
        StepImpl step = steps.get(i);
        if (failure != null) {
          step.future.completeExceptionally(failure);
          continue;
        }
        pending.put(step.id, step.future);
        batch.addRequests(requests.get(i));
      }
      if (batch.getRequestsCount() > 0) {
        synchronized (SyscallStream.this.requests) {
          SyscallStream.this.requests.onNext(batch.build());
        }
      }
      return CompletableFuture.allOf(steps.stream().map(s -> s.future).toArray(CompletableFuture[]::new))
          .thenApply(v -> steps.stream().map(s -> s.future.join()).toList());
    }
  }

  private static final class StepImpl implements Step {
    final long id;
    final CompletableFuture<SyscallReply> future = new CompletableFuture<>();

    StepImpl(long id) {
      this.id = id;
    }

    @Override
    public long id() {
      return id;
    }

    @Override
    public CompletableFuture<SyscallReply> reply() {
      return future;
    }
  }
}
