package dev.zxd.rpc;

import dev.zxd.kernel.Handle;
import dev.zxd.kernel.Introspection;
import dev.zxd.kernel.Kernel;
import dev.zxd.kernel.KernelObject;
import dev.zxd.kernel.ObjectType;
import dev.zxd.kernel.Process;
import dev.zxd.kernel.Status;
import dev.zxd.proto.v1.DebugDescribeObjectReply;
import dev.zxd.proto.v1.DebugDescribeObjectRequest;
import dev.zxd.proto.v1.DebugGrpc;
import dev.zxd.proto.v1.DebugListHandlesReply;
import dev.zxd.proto.v1.DebugListHandlesRequest;
import dev.zxd.proto.v1.DebugListProcessesReply;
import dev.zxd.proto.v1.DebugListProcessesRequest;
import dev.zxd.proto.v1.DebugStatsReply;
import dev.zxd.proto.v1.DebugStatsRequest;
import dev.zxd.proto.v1.DebugTraceRequest;
import dev.zxd.proto.v1.HandleSummary;
import dev.zxd.proto.v1.ProcessSummary;
import dev.zxd.proto.v1.TraceEvent;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.lang.management.ManagementFactory;
import java.util.Comparator;
import java.util.Map;

/** zxd.v1.Debug: processes, handles, objects, stats and the syscall trace. */
public final class DebugService extends DebugGrpc.DebugImplBase {
  private static final int[] TYPES = {ObjectType.PROCESS, ObjectType.CHANNEL, ObjectType.SOCKET, ObjectType.EVENT,
      ObjectType.EVENTPAIR, ObjectType.PORT, ObjectType.TIMER, ObjectType.VMO, ObjectType.FIFO};

  private final Kernel kernel;
  private final SyscallTrace trace;
  private final Map<String, String> settings;
  private final StreamStallLimit stallLimit;

  public DebugService(Kernel kernel, SyscallTrace trace, Map<String, String> settings,
      StreamStallLimit stallLimit) {
    this.kernel = kernel;
    this.trace = trace;
    this.settings = settings;
    this.stallLimit = stallLimit;
  }

  @Override
  public void listProcesses(DebugListProcessesRequest request, StreamObserver<DebugListProcessesReply> out) {
    DebugListProcessesReply.Builder reply = DebugListProcessesReply.newBuilder();
    kernel.processes().all().stream().sorted(Comparator.comparingLong(Process::koid)).forEach(p ->
        reply.addProcesses(ProcessSummary.newBuilder().setProcessId(p.koid()).setName(p.name())
            .setHandleCount(p.handleTableSize()).setState(p.state().name()).setParentId(p.parentKoid())
            .setKeepAliveStreams(p.lease().holders()).setLeaseExpiresAt(p.lease().expiresAt())
            .setCreatedAt(p.createdAt())));
    Calls.reply(out, reply.build());
  }

  @Override
  public void listHandles(DebugListHandlesRequest request, StreamObserver<DebugListHandlesReply> out) {
    Process p = kernel.processes().get(request.getProcessId());
    if (p == null) {
      Calls.reply(out, DebugListHandlesReply.newBuilder().setStatusValue(Status.ERR_NOT_FOUND).build());
      return;
    }
    DebugListHandlesReply.Builder reply = DebugListHandlesReply.newBuilder();
    p.handleSnapshot().entrySet().stream()
        .sorted(Comparator.comparingLong((Map.Entry<Integer, Handle> e) -> e.getValue().object().koid())
            .thenComparingInt(e -> e.getKey()))
        .forEach(e -> {
          KernelObject o = e.getValue().object();
          reply.addHandles(HandleSummary.newBuilder().setHandle(e.getKey()).setType(o.type())
              .setTypeName(ObjectType.name(o.type())).setKoid(o.koid()).setRights(e.getValue().rights())
              .setRelatedKoid(o.relatedKoid()).setOrigin(e.getValue().origin()));
        });
    Calls.reply(out, reply.build());
  }

  @Override
  public void describeObject(DebugDescribeObjectRequest request, StreamObserver<DebugDescribeObjectReply> out) {
    KernelObject o = kernel.objects().get(request.getKoid());
    if (o == null) {
      Calls.reply(out, DebugDescribeObjectReply.newBuilder().setStatusValue(Status.ERR_NOT_FOUND).build());
      return;
    }
    Introspection.ObjectDescription d = Introspection.describe(o);
    Calls.reply(out, DebugDescribeObjectReply.newBuilder().setKoid(d.koid()).setType(d.type())
        .setTypeName(ObjectType.name(d.type())).setHandleCount(d.handleCount()).setSignals(d.signals())
        .setRelatedKoid(d.relatedKoid()).setPeerAlive(d.peerAlive()).setQueuedMessages(d.queuedMessages())
        .setQueuedBytes(d.queuedBytes()).setPendingWaits(d.pendingWaits()).setName(d.name()).build());
  }

  @Override
  public void stats(DebugStatsRequest request, StreamObserver<DebugStatsReply> out) {
    DebugStatsReply.Builder reply = DebugStatsReply.newBuilder()
        .setProcesses(kernel.processes().size())
        .setObjects(kernel.objects().size())
        .setTokensOutstanding(kernel.tokens().size())
        .setMemoryBudgetUsedBytes(kernel.memory().used())
        .setPendingTimers(kernel.timers().pending())
        .setUptime(kernel.clock().now())
        .setCpuTime(processCpuTime())
        .putAllSettings(settings);
    for (int type : TYPES) {
      reply.putObjectsByType(ObjectType.name(type), kernel.objects().count(type));
    }
    long handles = 0;
    for (Process p : kernel.processes().all()) {
      handles += p.handleTableSize();
    }
    Calls.reply(out, reply.setHandles(handles).build());
  }

  /** CPU time of the whole daemon process (all threads, user and system), nanoseconds; 0 if the JVM cannot tell. */
  private static long processCpuTime() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return Math.max(0, os.getProcessCpuTime());
    }
    return 0;
  }

  @Override
  public void trace(DebugTraceRequest request, StreamObserver<TraceEvent> out) {
    ServerCallStreamObserver<TraceEvent> stream = (ServerCallStreamObserver<TraceEvent>) out;
    if (request.getProcessId() != 0 && kernel.processes().get(request.getProcessId()) == null) {
      out.onError(io.grpc.Status.NOT_FOUND.withDescription("no live process " + request.getProcessId())
          .asRuntimeException());
      return;
    }
    new TraceStream(stream).start(request.getProcessId());
  }

  /**
   * One Debug/Trace stream. Events are pushed from the trace thread only while the client keeps up (gRPC
   * flow control); a reader that falls behind loses events and is told how many. The stream completes when
   * the daemon shuts down, and ends with RESOURCE_EXHAUSTED when its client stops reading for the stall limit.
   * The stream is written under its own lock: the trace thread, the timer thread and shutdown may all end it.
   */
  private final class TraceStream {
    private final ServerCallStreamObserver<TraceEvent> stream;
    private final StreamStallLimit.Watch stall;
    private SyscallTrace.Reader reader;
    private boolean ended; // guarded by this

    TraceStream(ServerCallStreamObserver<TraceEvent> stream) {
      this.stream = stream;
      this.stall = stallLimit.watch(stream::isReady, this::endStalled);
    }

    void start(long processId) {
      SyscallTrace.Reader r = trace.open(processId, this::send, this::ready, this::complete);
      synchronized (this) {
        reader = r;
      }
      stream.setOnCancelHandler(() -> {
        stall.close();
        r.close();
      });
      stream.setOnReadyHandler(() -> {
        stall.progressed();
        r.wake();
      });
    }

    private boolean ready() {
      if (stream.isReady()) {
        return true;
      }
      stall.blocked();
      return false;
    }

    private synchronized void send(TraceEvent e) {
      if (!ended) {
        stream.onNext(e);
      }
    }

    private void complete() {
      end(null);
    }

    private void endStalled() {
      end(stallLimit.status("Debug/Trace"));
    }

    private void end(io.grpc.Status failure) {
      stall.close();
      SyscallTrace.Reader r;
      synchronized (this) {
        if (ended) {
          return;
        }
        ended = true;
        r = reader;
        try {
          if (failure == null) {
            stream.onCompleted();
          } else {
            stream.onError(failure.asRuntimeException());
          }
        } catch (IllegalStateException | io.grpc.StatusRuntimeException gone) {
          // Already over.
        }
      }
      if (r != null) {
        r.close();
      }
    }
  }
}
