package dev.zxd.cli.bench;

import dev.zxd.client.Event;
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
 * reply message. {@code --concurrency} batches in flight, each lane on its own stream over its own connection
 * (the daemon serves each connection on one transport thread, so lanes sharing a connection share one core;
 * a client after throughput opens several, all joined to the same process). The figure that matters is
 * syscalls per second (operations per second x batch size).
 *
 * <p>The client here is deliberately lean (no future per syscall), so the figure shows what the daemon sustains.
 */
final class BatchPattern {
  private BatchPattern() {}

  static Measurement run(BenchCommand.Setup s, int batchSize) {
    int pairs = Math.max(1, batchSize / 2);
    try (Zxd zxd = Zxd.connect(s.target); ZxProcess p = zxd.createProcess("bench-batch")) {
      Event ev = p.createEvent();
      int h = ev.value();
      List<Lane> lanes = new ArrayList<>();
      try {
        for (int i = 0; i < s.concurrency; i++) {
          lanes.add(new Lane(Zxd.connect(s.target), p.sessionToken(), h, pairs));
        }
        Measurement m = s.runner("batch").run("zxd-batch",
            "pipelined batches on Kernel/InvokeBatch: " + 2 * pairs + " syscalls per message (duplicate + close of "
                + "the duplicate by reference), " + s.concurrency + " batches in flight", new ArrayList<>(lanes),
            s.limits(), 0);
        m.extra.put("syscalls_per_batch", 2 * pairs);
        m.extra.put("syscalls_per_second", m.opsPerSecond() * 2 * pairs);
        return m;
      } finally {
        lanes.forEach(Lane::close);
      }
    }
  }

  /** One stream with one batch in flight at a time. */
  private static final class Lane implements Runner.Lane, StreamObserver<SyscallReplyBatch> {
    private final Context.CancellableContext context = Context.current().withCancellation();
    private final Zxd connection;
    private final StreamObserver<SyscallBatch> requests;
    private final int handle;
    private final int pairs;
    private long nextId = 1;
    private int remaining; // guarded by this
    private CompletableFuture<Void> current; // guarded by this

    /** A lane on its own {@code connection}, joined to the process whose session is {@code sessionToken}. */
    Lane(Zxd connection, String sessionToken, int handle, int pairs) {
      this.connection = connection;
      this.handle = handle;
      this.pairs = pairs;
      Context previous = context.attach();
      try {
        // Joined, not owned: closing the lane closes its connection, not the process.
        requests = KernelGrpc.newStub(connection.attach(sessionToken).stubs().sessionChannel()).invokeBatch(this);
      } finally {
        context.detach(previous);
      }
    }

    @Override
    public CompletableFuture<?> next() {
      SyscallBatch.Builder b = SyscallBatch.newBuilder();
      for (int i = 0; i < pairs; i++) {
        long dup = nextId++;
        b.addRequests(SyscallRequest.newBuilder().setId(dup).setHandleDuplicate(
            HandleDuplicateRequest.newBuilder().setHandle(handle).setRights(0x8000_0000)));
        b.addRequests(SyscallRequest.newBuilder().setId(nextId++)
            .addRefs(HandleRef.newBuilder().setId(dup).setIndex(0))
            .setHandleClose(HandleCloseRequest.newBuilder().setHandle(1 << 2)));
      }
      CompletableFuture<Void> f = new CompletableFuture<>();
      synchronized (this) {
        current = f;
        remaining = 2 * pairs;
      }
      requests.onNext(b.build());
      return f;
    }

    @Override
    public void onNext(SyscallReplyBatch batch) {
      CompletableFuture<Void> done = null;
      RuntimeException bad = null;
      synchronized (this) {
        for (SyscallReply r : batch.getRepliesList()) {
          if (r.getStatus() != Status.ZX_OK && bad == null) {
            bad = new IllegalStateException("request " + r.getId() + " failed: " + r.getStatus() + " "
                + r.getError());
          }
        }
        remaining -= batch.getRepliesCount();
        if (remaining <= 0 || bad != null) {
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
      connection.close();
    }
  }
}
