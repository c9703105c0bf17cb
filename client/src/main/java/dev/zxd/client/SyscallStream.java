package dev.zxd.client;

import dev.zxd.proto.v1.HandleRef;
import dev.zxd.proto.v1.KernelGrpc;
import dev.zxd.proto.v1.Status;
import dev.zxd.proto.v1.SyscallBatch;
import dev.zxd.proto.v1.SyscallReply;
import dev.zxd.proto.v1.SyscallReplyBatch;
import dev.zxd.proto.v1.SyscallRequest;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
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
 *
 * <p>A request marked {@link Request#quiet()} is answered by the daemon only if it fails (like io_uring's
 * {@code IOSQE_CQE_SKIP_SUCCESS}). The daemon answers a request before it runs anything that names the request in
 * {@code after} or {@code refs}. So when a later step that depends on a quiet one (directly, or through other
 * quiet steps) is answered, the quiet step has succeeded, and its future completes with a bare {@code ZX_OK} reply
 * (its id and status, no outputs) just before the later step's. The exception is a reply marked
 * {@code refused_on_arrival}: that request was refused without waiting for what it names. A quiet step that
 * nothing answered depends on completes only if it fails, or exceptionally when the stream ends.
 */
public final class SyscallStream implements AutoCloseable {
  private final AtomicLong nextId = new AtomicLong(1);
  private final Map<Long, StepImpl> pending = new ConcurrentHashMap<>();
  /** Set once a quiet request has been made: only then can a reply settle steps it depends on. */
  private volatile boolean quietSent;
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
            StepImpl step = pending.remove(reply.getId());
            if (step != null) {
              // Settled first, so that code run by this reply's future finds them done. A request refused on
              // arrival did not wait for what it names: that may still be pending.
              if (step.dependsOn != null && !reply.getRefusedOnArrival()) {
                settleQuiet(step.dependsOn);
              }
              step.future.complete(reply);
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
    pending.values().forEach(step -> step.future.completeExceptionally(t));
    pending.clear();
  }

  /**
   * A step that depended on these ids was answered, so they have all completed, and any that failed was
   * answered before it: the quiet ones still pending succeeded. Walks through them to what they depended on.
   */
  private void settleQuiet(long[] ids) {
    ArrayDeque<long[]> todo = new ArrayDeque<>();
    todo.push(ids);
    while (!todo.isEmpty()) {
      for (long id : todo.pop()) {
        StepImpl step = pending.get(id);
        if (step != null && step.quiet && pending.remove(id, step)) {
          step.future.complete(SyscallReply.newBuilder().setId(id).setStatus(Status.ZX_OK).build());
          if (step.dependsOn != null) {
            todo.push(step.dependsOn);
          }
        }
      }
    }
  }

  /**
   * Sends one syscall; the future completes with its reply (whatever its status). A quiet request sent this way
   * has no step to depend on it: its future completes only if it fails.
   */
  public CompletableFuture<SyscallReply> call(SyscallRequest.Builder request) {
    StepImpl step = new StepImpl(nextId.getAndIncrement());
    if (failure != null) {
      step.future.completeExceptionally(failure);
      return step.future;
    }
    track(step, request.setId(step.id));
    synchronized (requests) {
      requests.onNext(SyscallBatch.newBuilder().addRequests(request).build());
    }
    return step.future;
  }

  /** Registers a step about to be sent, with what it depends on once quiet requests are about. */
  private void track(StepImpl step, SyscallRequest.Builder request) {
    step.quiet = request.getQuiet();
    if (step.quiet) {
      quietSent = true;
    }
    if (quietSent && (request.getAfterCount() > 0 || request.getRefsCount() > 0)) {
      long[] ids = new long[request.getAfterCount() + request.getRefsCount()];
      for (int i = 0; i < request.getAfterCount(); i++) {
        ids[i] = request.getAfter(i);
      }
      for (int i = 0; i < request.getRefsCount(); i++) {
        ids[request.getAfterCount() + i] = request.getRefs(i).getId();
      }
      step.dependsOn = ids;
    }
    pending.put(step.id, step);
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

    /**
     * Asks for no reply unless the syscall fails. The step's future completes with a bare {@code ZX_OK} reply
     * once a later step that depends on it is answered (see the class comment).
     */
    public Request quiet() {
      proto.setQuiet(true);
      return this;
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
      if (r.proto.getQuiet()) {
        quietSent = true; // now, not at send: a step built on this one may be sent first, from another thread
      }
      requests.add(r.proto.setId(step.id));
      steps.add(step);
      return step;
    }

    /** Sends every request now, in order; completes when all have replied (quiet ones: once settled). */
    public CompletableFuture<List<SyscallReply>> send() {
      SyscallBatch.Builder batch = SyscallBatch.newBuilder();
      for (int i = 0; i < requests.size(); i++) {
        StepImpl step = steps.get(i);
        if (failure != null) {
          step.future.completeExceptionally(failure);
          continue;
        }
        track(step, requests.get(i));
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
    boolean quiet; // written before the step is published in pending
    long[] dependsOn; // after and refs ids; recorded only once the stream has sent a quiet request

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
