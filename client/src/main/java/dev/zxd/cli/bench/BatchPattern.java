package dev.zxd.cli.bench;

import dev.zxd.client.Zxd;
import dev.zxd.client.ZxProcess;
import dev.zxd.proto.v1.HandleCloseRequest;
import dev.zxd.proto.v1.HandleDuplicateRequest;
import dev.zxd.proto.v1.HandleRef;
import dev.zxd.proto.v1.KernelGrpc;
import dev.zxd.proto.v1.Status;
import dev.zxd.proto.v1.SyscallBatch;
import dev.zxd.proto.v1.SyscallReply;
import dev.zxd.proto.v1.SyscallReplyBatch;
import dev.zxd.proto.v1.SyscallRequest;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Pipelined batches on Kernel/InvokeBatch: each operation is one transport message of {@code --batch} syscalls,
 * pairs of "duplicate the event" and "close output 0 of that duplicate" (a pipelined reference), answered by one
 * reply message. {@code --concurrency} batches in flight: each lane is a process of its own, with its own event,
 * stream and connection, as in a simulation of many processes. (The daemon serves each connection on one
 * transport thread, so lanes sharing a connection would share one core; lanes sharing a process would contend
 * for its handle table, which no two Zircon threads hammering one table escape either.) The figure that
 * matters is syscalls per second (operations per second x batch size).
 *
 * <p>The client here is deliberately lean (no future per syscall), so the figure shows what the daemon sustains.
 */
final class BatchPattern {
  private BatchPattern() {}

  /** {@code quiet}: every request but each batch's last asks for no reply on success. */
  static Measurement run(BenchCommand.Setup s, int batchSize, boolean quiet) {
    int pairs = Math.max(1, batchSize / 2);
    List<Lane> lanes = new ArrayList<>();
    try {
      for (int i = 0; i < s.concurrency; i++) {
        lanes.add(new Lane(s.connect(), "bench-batch-" + i, pairs, quiet));
      }
      Measurement m = s.runner("batch").run(quiet ? "zxd-batch-quiet" : "zxd-batch",
          "pipelined batches on Kernel/InvokeBatch: " + 2 * pairs + " syscalls per message (duplicate + close of "
              + "the duplicate by reference), " + s.concurrency + " processes with a batch in flight each"
              + (quiet ? "; all but the last request of a batch quiet (answered only on failure)" : ""),
          new ArrayList<>(lanes), s.limits(), 0);
      m.extra.put("syscalls_per_batch", 2 * pairs);
      m.extra.put("syscalls_per_second", m.opsPerSecond() * 2 * pairs);
      return m;
    } finally {
      lanes.forEach(Lane::close);
    }
  }

  /** One process on its own connection and stream, with one batch in flight at a time. */
  private static final class Lane implements Runner.Lane, StreamObserver<SyscallReplyBatch> {
    private final Context.CancellableContext context = Context.current().withCancellation();
    private final Zxd connection;
    private final ZxProcess process;
    private final StreamObserver<SyscallBatch> requests;
    private final int handle;
    private final int pairs;
    private final boolean quiet;
    private long nextId = 1;
    private long lastId; // guarded by this: the batch is done when this one replies
    private int remaining; // guarded by this
    private CompletableFuture<Void> current; // guarded by this

    Lane(Zxd connection, String name, int pairs, boolean quiet) {
      this.connection = connection;
      this.pairs = pairs;
      this.quiet = quiet;
      try {
        this.process = connection.createProcess(name);
        this.handle = process.createEvent().value();
      } catch (RuntimeException e) {
        connection.close();
        throw e;
      }
      Context previous = context.attach();
      try {
        requests = KernelGrpc.newStub(process.stubs().sessionChannel()).invokeBatch(this);
      } finally {
        context.detach(previous);
      }
    }

    @Override
    public CompletableFuture<?> next() {
      SyscallBatch.Builder b = SyscallBatch.newBuilder();
      for (int i = 0; i < pairs; i++) {
        long dup = nextId++;
        b.addRequests(SyscallRequest.newBuilder().setId(dup).setQuiet(quiet).setHandleDuplicate(
            HandleDuplicateRequest.newBuilder().setHandle(handle).setRights(0x8000_0000)));
        b.addRequests(SyscallRequest.newBuilder().setId(nextId++).setQuiet(quiet && i < pairs - 1)
            .addRefs(HandleRef.newBuilder().setId(dup).setIndex(0))
            .setHandleClose(HandleCloseRequest.newBuilder().setHandle(1 << 2)));
      }
      CompletableFuture<Void> f = new CompletableFuture<>();
      synchronized (this) {
        current = f;
        remaining = 2 * pairs;
        lastId = nextId - 1;
      }
      requests.onNext(b.build());
      return f;
    }

    @Override
    public void onNext(SyscallReplyBatch batch) {
      CompletableFuture<Void> done = null;
      RuntimeException bad = null;
      synchronized (this) {
        boolean last = false;
        for (SyscallReply r : batch.getRepliesList()) {
          if (r.getStatus() != Status.ZX_OK && bad == null) {
            bad = new IllegalStateException("request " + r.getId() + " failed: " + r.getStatus() + " "
                + r.getError());
          }
          last |= r.getId() == lastId;
        }
        remaining -= batch.getRepliesCount();
        // Syscalls that do not wait complete in order, so the last one's reply closes the batch (quiet ones
        // that succeeded said nothing).
        if (remaining <= 0 || last || bad != null) {
          done = current;
          current = null;
        }
      }
      if (done != null) {
        if (bad != null) {
          done.completeExceptionally(bad);
        } else {
          done.complete(null);
        }
      }
    }

    @Override
    public void onError(Throwable t) {
      CompletableFuture<Void> f;
      synchronized (this) {
        f = current;
        current = null;
      }
      if (f != null) {
        f.completeExceptionally(t);
      }
    }

    @Override
    public void onCompleted() {
      onError(new IllegalStateException("the stream ended"));
    }

    void close() {
      context.cancel(null);
      try {
        process.close();
      } finally {
        connection.close();
      }
    }
  }
}
