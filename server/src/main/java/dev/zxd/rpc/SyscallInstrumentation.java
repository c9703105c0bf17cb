package dev.zxd.rpc;

import com.google.protobuf.Message;
import dev.zxd.kernel.Kernel;
import dev.zxd.kernel.Process;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Set;

/**
 * Measures every unary syscall (metrics) and, while someone reads the trace, records it.
 *
 * <p>Trace order follows kernel order: a syscall that can only <em>observe</em> other syscalls' effects (reads,
 * waits, accept, redeeming a token) takes its sequence number after it ran; every other syscall takes its
 * number before it runs. So a write is numbered before the read that received its message, and a signal
 * before the wait it woke, whatever the threads do in between.
 */
public final class SyscallInstrumentation implements ServerInterceptor {
  private static final Set<String> OBSERVERS = Set.of(
      "Channel/Read", "Channel/ReadEtc", "Channel/Call", "Socket/Read", "Socket/Accept",
      "Socket/CreateFromProtocolInfo", "Fifo/Read", "Port/Wait", "Object/WaitOne", "Object/WaitMany",
      "Vmo/Read", "Process/Attach");

  private final Kernel kernel;
  private final SyscallMetrics metrics;
  private final SyscallTrace trace;

  public SyscallInstrumentation(Kernel kernel, SyscallMetrics metrics, SyscallTrace trace) {
    this.kernel = kernel;
    this.metrics = metrics;
    this.trace = trace;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    MethodDescriptor<ReqT, RespT> method = call.getMethodDescriptor();
    if (method.getType() != MethodDescriptor.MethodType.UNARY) {
      return next.startCall(call, headers);
    }
    String syscall = syscallName(method.getFullMethodName());
    Process caller = SessionInterceptor.PROCESS.get();
    Recorder recorder = start(syscall, caller == null ? 0 : caller.koid(), OBSERVERS.contains(syscall));
    ServerCall<ReqT, RespT> measured = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void sendMessage(RespT message) {
        recorder.replied((Message) message);
        super.sendMessage(message);
      }

      @Override
      public void close(Status status, Metadata trailers) {
        recorder.closed(status);
        super.close(status, trailers);
      }
    };
    ServerCall.Listener<ReqT> listener = next.startCall(measured, headers);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onMessage(ReqT message) {
        recorder.request((Message) message);
        super.onMessage(message);
      }

      @Override
      public void onCancel() {
        recorder.closed(Status.CANCELLED);
        super.onCancel();
      }
    };
  }

  /** Starts measuring one unary syscall. */
  Recorder start(String syscall, long processId, boolean observer) {
    return new Recorder(syscall, metrics.forSyscall(syscall), processId, observer, System.nanoTime());
  }

  /**
   * The syscall stream's start: the request is known at once and the start time is given, so that a stream can
   * take one clock reading for the end of one syscall and the start of the next (see InvokeStream.drainReady).
   */
  Recorder startStreamed(String syscall, SyscallMetrics.ForSyscall timers, long processId, boolean observer,
      Message request, long startNanos) {
    Recorder r = new Recorder(syscall, timers, processId, observer, startNanos);
    r.requestUnguarded(request);
    return r;
  }

  /** The tallies a syscall's calls are counted in. */
  SyscallMetrics.ForSyscall timers(String syscall) {
    return metrics.forSyscall(syscall);
  }

  /** Whether the syscall only observes others' effects (and so is numbered in the trace after it runs). */
  static boolean isObserver(String syscall) {
    return OBSERVERS.contains(syscall);
  }

  /** "zxd.v1.Channel/Write" -> "Channel/Write". */
  static String syscallName(String fullMethodName) {
    int dot = fullMethodName.lastIndexOf('.', fullMethodName.indexOf('/'));
    return fullMethodName.substring(dot + 1);
  }

  /** The life of one call: start time, request, the trace slot, and the reply's status. */
  final class Recorder {
    private final String syscall;
    private final SyscallMetrics.ForSyscall timers;
    private final long processId;
    private final boolean observer;
    private final long start;
    private Message request;
    private long sequence = -1;
    private boolean done;
    private long endedAt;

    Recorder(String syscall, SyscallMetrics.ForSyscall timers, long processId, boolean observer, long start) {
      this.start = start;
      this.syscall = syscall;
      this.timers = timers;
      this.processId = processId;
      this.observer = observer;
    }

    synchronized void request(Message m) {
      requestUnguarded(m);
    }

    /** Before the recorder is shared with any other thread. */
    private void requestUnguarded(Message m) {
      request = m;
      if (!observer && trace.isActive()) {
        sequence = trace.reserve();
      }
    }

    /** A unary call's reply: measured and counted at once. */
    void replied(Message reply) {
      int status = Messages.statusOf(reply);
      if (finish(reply, status)) {
        timers.record(status, elapsedNanos());
      }
    }

    /**
     * The syscall replied: traced now; false if it had already ended. Counting it is the caller's job (the
     * syscall stream counts a transport message's syscalls together), with elapsedNanos and tally.
     */
    synchronized boolean finish(Message reply, int status) {
      if (done) {
        return false;
      }
      done = true;
      traceReply(reply, status);
      return true;
    }

    /**
     * As {@link #finish}, for a caller that itself makes sure a call ends once and that this happens after the
     * recorder was made (the syscall stream's InlineReply, under its own lock): one monitor less per syscall.
     */
    void finishUnguarded(Message reply, int status) {
      done = true;
      traceReply(reply, status);
    }

    private void traceReply(Message reply, int status) {
      endedAt = System.nanoTime();
      if (sequence < 0 && observer && trace.isActive()) {
        sequence = trace.reserve();
      }
      if (sequence >= 0) {
        trace.store(new TraceRecord(sequence, kernel.clock().now(), processId, syscall, request, reply, status));
      }
    }

    /** Where a finished syscall with {@code status} is counted. */
    SyscallMetrics.Tally tally(int status) {
      return timers.tally(status);
    }

    long elapsedNanos() {
      return endedAt - start;
    }

    long endedAt() {
      return endedAt;
    }

    synchronized void closed(Status grpcStatus) {
      if (done) {
        return;
      }
      done = true;
      // No reply: the call failed at the gRPC level (or was canceled). A reserved slot must still be filled,
      // or readers would wait for it forever.
      if (sequence >= 0) {
        trace.store(new TraceRecord(sequence, kernel.clock().now(), processId, syscall, request, null,
            dev.zxd.kernel.Status.ERR_CANCELED));
      }
    }
  }

}
