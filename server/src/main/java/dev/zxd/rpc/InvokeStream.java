package dev.zxd.rpc;

import com.google.protobuf.Message;
import dev.zxd.kernel.Process;
import dev.zxd.kernel.Status;
import dev.zxd.proto.v1.HandleRef;
import dev.zxd.proto.v1.SyscallReply;
import dev.zxd.proto.v1.SyscallReplyBatch;
import dev.zxd.proto.v1.SyscallRequest;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One syscall stream (Kernel/Invoke, or Kernel/InvokeBatch with replies gathered per batch): admits requests in
 * order, holds back those that name pending requests (after, refs), resolves pipelined handle references, runs
 * each syscall straight into its service method, and sends the replies (waits complete on other threads).
 *
 * <p>The stream belongs to the process its session named when it opened; the context carrying that process is
 * attached around every syscall, so services see the same caller as on a unary call.
 */
final class InvokeStream {
  private static final Logger log = LoggerFactory.getLogger(InvokeStream.class);
  static final int INBOUND_WINDOW = 32;
  private static final int REMEMBERED = 65_536;
  private static final int MAX_PARKED = 65_536;

  /** A request waiting (in the daemon) for earlier requests on the stream to complete. */
  private static final class Parked {
    final SyscallRequest request;
    int remaining;

    Parked(SyscallRequest request, int remaining) {
      this.request = request;
      this.remaining = remaining;
    }
  }

  private final SyscallRoutes routes;
  private final SyscallInstrumentation instrumentation;
  private final ServerCallStreamObserver<Object> out;
  private final boolean batched;
  private final Process process;
  private final Context context;
  private final StreamStallLimit stallLimit;
  private final StreamStallLimit.Watch stall;

  // All guarded by this.
  private final Outcomes outcomes = new Outcomes(REMEMBERED);
  private final Map<Long, List<Parked>> parkedOn = new HashMap<>();
  private final Map<Long, InlineReply> cancelables = new HashMap<>();
  private final ArrayDeque<SyscallRequest> ready = new ArrayDeque<>();
  private final PendingTallies tallies = new PendingTallies();
  private final SyscallMetrics.ForSyscall[] timersByRoute;
  private List<SyscallReply> gathered = new ArrayList<>();
  private int batchDepth;
  private int parkedCount;
  private int inFlight; // dispatched, not yet replied
  private int owed; // inbound messages not yet asked for again because the client was not reading
  private boolean draining;
  private boolean finishWhenDrained;
  private boolean ended;

  @SuppressWarnings("unchecked")
  InvokeStream(SyscallRoutes routes, SyscallInstrumentation instrumentation, ServerCallStreamObserver<?> out,
      boolean batched, StreamStallLimit stallLimit) {
    this.routes = routes;
    this.instrumentation = instrumentation;
    this.out = (ServerCallStreamObserver<Object>) out;
    this.batched = batched;
    this.process = Calls.caller();
    this.context = Context.current();
    this.stallLimit = stallLimit;
    this.stall = stallLimit.watch(out::isReady, this::endStalled);
    this.timersByRoute = new SyscallMetrics.ForSyscall[routes.highestNumber() + 1];
  }

  /** One transport message's worth of requests (one for Invoke, any number for InvokeBatch). */
  void onMessage(List<SyscallRequest> requests) {
    synchronized (this) {
      if (ended) {
        return; // requests the transport still delivers after the stream was ended must not run unanswered
      }
      batchDepth++;
    }
    process.lease().renew(); // once per message: it says the process is alive as well as one per syscall would
    try {
      for (SyscallRequest r : requests) {
        admit(r);
      }
    } finally {
      synchronized (this) {
        if (--batchDepth == 0) {
          flushLocked();
        }
        if (out.isReady()) {
          out.request(1);
        } else {
          owed++;
          stall.blocked();
        }
      }
    }
  }

  void onReady() {
    stall.progressed();
    int n;
    synchronized (this) {
      if (ended) {
        return;
      }
      n = owed;
      owed = 0;
    }
    if (n > 0) {
      out.request(n);
    }
  }

  /** Runs a request now, or parks it until the requests it depends on (after, refs) have completed. */
  private void admit(SyscallRequest request) {
    long id = request.getId();
    String refusal = null;
    int refusalStatus = Status.OK;
    synchronized (this) {
      int afterCount = request.getAfterCount();
      int refCount = request.getRefsCount();
      if (afterCount > 0 || refCount > 0) {
        long[] waitFor = null; // distinct ids of requests still pending
        int waiting = 0;
        // A request may name thousands of ids: past a few, duplicates are found by hashing, not by scanning.
        java.util.Set<Long> seen = afterCount + refCount > 16 ? new java.util.HashSet<>() : null;
        for (int i = 0; i < afterCount + refCount; i++) {
          long dep = i < afterCount ? request.getAfter(i) : request.getRefs(i - afterCount).getId();
          long ticket = outcomes.find(dep);
          if (ticket == Outcomes.UNKNOWN) {
            if (i < afterCount) {
              refusal = "after names request " + dep + ", unknown on this stream";
              refusalStatus = Status.ERR_INVALID_ARGS;
              break;
            }
            continue; // an unknown ref fails when it is resolved, with the reference's own message
          }
          if (outcomes.isDone(ticket) || (seen != null ? !seen.add(dep) : contains(waitFor, waiting, dep))) {
            continue;
          }
          if (waitFor == null) {
            waitFor = new long[afterCount + refCount];
          }
          waitFor[waiting++] = dep;
        }
        if (refusal == null && waiting > 0) {
          if (parkedCount >= MAX_PARKED) {
            refusal = "too many requests waiting for earlier ones on this stream";
            refusalStatus = Status.ERR_NO_RESOURCES;
          } else {
            Parked parked = new Parked(request, waiting);
            for (int i = 0; i < waiting; i++) {
              parkedOn.computeIfAbsent(waitFor[i], k -> new ArrayList<>(2)).add(parked);
            }
            parkedCount++;
            outcomes.admit(id); // pending: later requests may depend on this one in turn
            return;
          }
        }
      }
      if (refusal == null) {
        // Known from now on, so a later request may name it in after/refs even before it has run.
        outcomes.admit(id);
        ready.addLast(request);
      }
    }
    if (refusal != null) {
      reject(id, refusalStatus, refusal, true);
    } else {
      drainReady();
    }
  }

  private static boolean contains(long[] values, int n, long value) {
    for (int i = 0; i < n; i++) {
      if (values[i] == value) {
        return true;
      }
    }
    return false;
  }

  /** Request {@code id} is done (lock held): dependents with nothing left to wait for become ready. */
  private void releaseDependentsLocked(long id) {
    if (parkedCount == 0) {
      return;
    }
    List<Parked> waiting = parkedOn.remove(id);
    if (waiting == null) {
      return;
    }
    for (Parked p : waiting) {
      if (--p.remaining == 0) {
        parkedCount--;
        ready.addLast(p.request);
      }
    }
  }

  /**
   * Runs the requests that are ready, in order, unless a drain is already going (whichever thread runs it
   * also runs what others make ready meanwhile, so order holds and the stack stays flat).
   */
  private void drainReady() {
    synchronized (this) {
      if (draining || ready.isEmpty()) {
        return;
      }
      draining = true;
    }
    Context previous = context.attach();
    // One clock reading serves as the end of a syscall and the start of the next one run here, so a batch of
    // syscalls that complete at once costs one reading each instead of two (about 30 ns each on a VM). A
    // syscall's time then also covers, while it waited its turn, the stream's bookkeeping for the one before it
    // and any wait for the stream's lock (another thread sending this stream's replies).
    long mark = 0;
    try {
      while (true) {
        SyscallRequest next;
        synchronized (this) {
          next = ended ? null : ready.pollFirst();
          if (next == null) {
            ready.clear();
            draining = false;
            return;
          }
        }
        mark = dispatch(next, mark != 0 ? mark : System.nanoTime());
      }
    } finally {
      context.detach(previous);
    }
  }

  /**
   * Runs one request that started at {@code startNanos}; returns the clock reading at its end if it completed
   * before returning (the next one's start), else 0.
   */
  private long dispatch(SyscallRequest request, long startNanos) {
    long id = request.getId();
    SyscallRoutes.Route route = routes.route(request.getSyscallCase().getNumber());
    if (route == null) {
      reject(id, Status.ERR_INVALID_ARGS, "the request names no syscall", false);
      return 0;
    }
    if (!process.isAlive()) {
      end(io.grpc.Status.UNAUTHENTICATED.withDescription("the stream's process has exited"));
      return 0;
    }
    Message message = route.request(request);
    if (request.getRefsCount() > 0) {
      String[] why = new String[1];
      message = route.resolveRefs(message, request.getRefsList(), this::outputOf, why);
      if (message == null) {
        reject(id, Status.ERR_BAD_HANDLE, why[0], false);
        return 0;
      }
    }
    long ticket;
    synchronized (this) {
      ticket = outcomes.find(id);
      if (ticket == Outcomes.UNKNOWN || outcomes.isDone(ticket)) {
        ticket = outcomes.admit(id); // forgotten while parked (65 536 newer requests), or the id was reused
      }
      inFlight++;
    }
    SyscallMetrics.ForSyscall timers = timersByRoute[route.number];
    if (timers == null) {
      timers = instrumentation.timers(route.syscall);
      timersByRoute[route.number] = timers; // a benign race: any thread stores the same tallies
    }
    SyscallInstrumentation.Recorder recorder =
        instrumentation.startStreamed(route.syscall, timers, process.koid(), route.observer, message, startNanos);
    InlineReply reply = new InlineReply(this, id, request.getQuiet(), route, ticket, recorder);
    try {
      route.run(message, reply);
    } catch (RuntimeException e) {
      log.error("kernel fault in {}", route.syscall, e);
      reply.fault(e);
    }
    // 0 unless it ended here. A wait that another thread completed meanwhile may show that thread's reading:
    // as good a start for the next one as any (a benign race on a plain long, never torn on 64-bit HotSpot).
    return recorder.endedAt();
  }

  /** Output {@code index} of earlier request {@code id}, or 0 and why (see Outcomes.output). */
  private synchronized int outputOf(long id, int index, int k, String[] why) {
    return outcomes.output(id, index, k, why);
  }

  /** A syscall registered a cancel action (a wait): ending the stream must run it. */
  void cancelable(InlineReply reply) {
    synchronized (this) {
      if (!ended) {
        cancelables.put(reply.id, reply);
        return;
      }
    }
    reply.cancel(); // the stream is already gone: abandon the wait at once
  }

  void completed(InlineReply call, Message reply, int status) {
    SyscallReply answer = null;
    if (!call.quiet || status != Status.OK) {
      SyscallReply.Builder b = SyscallReply.newBuilder().setId(call.id).setStatusValue(status);
      call.route.setReply(b, reply);
      answer = b.build();
    }
    int[] outputs = status == Status.OK ? call.route.outputs(reply) : SyscallRoutes.EMPTY;
    synchronized (this) {
      batchDepth++;
      outcomes.complete(call.ticket, status, outputs);
      tallies.add(call.recorder.tally(status), call.recorder.elapsedNanos());
      finishCallLocked(call, answer);
    }
    runDependents();
  }

  void failed(InlineReply call, io.grpc.Status grpcStatus) {
    synchronized (this) {
      batchDepth++;
      outcomes.complete(call.ticket, Status.ERR_INTERNAL, SyscallRoutes.EMPTY);
      finishCallLocked(call, SyscallReply.newBuilder().setId(call.id).setStatusValue(Status.ERR_INTERNAL)
          .setError(grpcStatus.getCode() + ": " + grpcStatus.getDescription()).build());
    }
    runDependents();
  }

  /**
   * Runs what a completion made ready, then sends the completion's reply and theirs together: a chain such as
   * wait, then read, then write costs one reply message, not three.
   */
  private void runDependents() {
    try {
      drainReady();
    } finally {
      synchronized (this) {
        if (--batchDepth == 0) {
          flushLocked();
        }
        finishIfDrainedLocked();
      }
    }
  }

  /** {@code reply}: null for a quiet request that succeeded. */
  private void finishCallLocked(InlineReply call, SyscallReply reply) {
    inFlight--;
    if (!cancelables.isEmpty()) {
      cancelables.remove(call.id, call);
    }
    if (reply != null) {
      sendLocked(reply);
    }
    releaseDependentsLocked(call.id);
    finishIfDrainedLocked();
  }

  /** {@code onArrival}: refused at admission, before the requests it names had completed (refused_on_arrival). */
  private void reject(long id, int status, String why, boolean onArrival) {
    synchronized (this) {
      batchDepth++;
      long ticket = outcomes.find(id);
      if (ticket == Outcomes.UNKNOWN || outcomes.isDone(ticket)) {
        ticket = outcomes.admit(id);
      }
      outcomes.complete(ticket, status, SyscallRoutes.EMPTY);
      sendLocked(SyscallReply.newBuilder().setId(id).setStatusValue(status).setError(why)
          .setRefusedOnArrival(onArrival).build());
      releaseDependentsLocked(id);
    }
    runDependents();
  }

  private void sendLocked(SyscallReply reply) {
    if (ended) {
      return;
    }
    if (!batched) {
      emitLocked(reply);
      return;
    }
    gathered.add(reply);
    if (batchDepth == 0) {
      flushLocked();
    }
  }

  private void flushLocked() {
    tallies.publish();
    if (!batched || gathered.isEmpty() || ended) {
      return;
    }
    SyscallReplyBatch batch = SyscallReplyBatch.newBuilder().addAllReplies(gathered).build();
    gathered = new ArrayList<>();
    emitLocked(batch);
  }

  private void emitLocked(Object message) {
    try {
      out.onNext(message);
      if (!out.isReady()) {
        stall.blocked();
      }
    } catch (IllegalStateException | io.grpc.StatusRuntimeException gone) {
      ended = true;
    }
  }

  private void finishIfDrainedLocked() {
    if (finishWhenDrained && inFlight == 0 && parkedCount == 0 && ready.isEmpty() && batchDepth == 0 && !ended) {
      flushLocked();
      ended = true;
      out.onCompleted();
    }
  }

  /** Ends the stream with {@code status}, abandoning what is still pending. */
  private void end(io.grpc.Status status) {
    synchronized (this) {
      if (ended) {
        return;
      }
      flushLocked();
      ended = true;
      try {
        out.onError(status.asRuntimeException());
      } catch (IllegalStateException alreadyClosed) {
        // Nothing more to tell.
      }
    }
    onCancel();
  }

  /** The client has read nothing for the stall limit while replies waited: end the stream and its waits. */
  private void endStalled() {
    end(stallLimit.status(batched ? "Kernel/InvokeBatch" : "Kernel/Invoke"));
  }

  void onCancel() {
    stall.close();
    List<InlineReply> waiting;
    synchronized (this) {
      ended = true;
      waiting = new ArrayList<>(cancelables.values());
      cancelables.clear();
      parkedOn.clear();
      parkedCount = 0;
      ready.clear();
    }
    // Waits still pending end with the stream (their observers are removed).
    waiting.forEach(InlineReply::cancel);
  }

  void onError(Throwable t) {
    onCancel();
  }

  /**
   * The client sent its last request; replies to pending waits still go out as they complete, and the stream
   * ends once they have.
   */
  void onCompleted() {
    synchronized (this) {
      finishWhenDrained = true;
      finishIfDrainedLocked();
    }
  }
}
