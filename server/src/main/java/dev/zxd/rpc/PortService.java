package dev.zxd.rpc;

import dev.zxd.kernel.HandleResult;
import dev.zxd.kernel.Kernel;
import dev.zxd.kernel.MonotonicClock;
import dev.zxd.kernel.PortPacket;
import dev.zxd.kernel.PortWait;
import dev.zxd.kernel.Process;
import dev.zxd.kernel.Status;
import dev.zxd.proto.v1.PacketSignal;
import dev.zxd.proto.v1.PacketUser;
import dev.zxd.proto.v1.PortCancelReply;
import dev.zxd.proto.v1.PortCancelRequest;
import dev.zxd.proto.v1.PortCreateReply;
import dev.zxd.proto.v1.PortCreateRequest;
import dev.zxd.proto.v1.PortGrpc;
import dev.zxd.proto.v1.PortQueueReply;
import dev.zxd.proto.v1.PortQueueRequest;
import dev.zxd.proto.v1.PortWaitReply;
import dev.zxd.proto.v1.PortWaitRequest;
import dev.zxd.proto.v1.PortWaitStreamRequest;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/** zxd.v1.Port. */
public final class PortService extends PortGrpc.PortImplBase {
  private final Kernel kernel;
  private final StreamStallLimit stallLimit;

  public PortService(Kernel kernel, StreamStallLimit stallLimit) {
    this.kernel = kernel;
    this.stallLimit = stallLimit;
  }

  @Override
  public void create(PortCreateRequest request, StreamObserver<PortCreateReply> out) {
    HandleResult r = kernel.port().create(Calls.caller(), request.getOptions());
    Calls.reply(out, PortCreateReply.newBuilder().setStatusValue(r.status()).setOut(r.out()).build());
  }

  @Override
  public void queue(PortQueueRequest request, StreamObserver<PortQueueReply> out) {
    var packet = request.getPacket();
    long[] payload = packet.getUser().getU64List().stream().mapToLong(Long::longValue).toArray();
    int status = kernel.port().queue(Calls.caller(), request.getHandle(), packet.getKey(),
        packet.getStatusValue(), payload);
    Calls.reply(out, PortQueueReply.newBuilder().setStatusValue(status).build());
  }

  @Override
  public void wait(PortWaitRequest request, StreamObserver<PortWaitReply> out) {
    Process caller = Calls.caller();
    Calls.startCancelable(out, () -> kernel.port().wait(caller, request.getHandle(), request.getDeadline(),
        r -> Calls.replyLater(out, reply(r))));
  }

  @Override
  public void cancel(PortCancelRequest request, StreamObserver<PortCancelReply> out) {
    int status = kernel.port().cancel(Calls.caller(), request.getHandle(), request.getSource(), request.getKey());
    Calls.reply(out, PortCancelReply.newBuilder().setStatusValue(status).build());
  }

  @Override
  public void waitStream(PortWaitStreamRequest request, StreamObserver<PortWaitReply> out) {
    int[] status = new int[1];
    var port = kernel.port().portForReading(Calls.caller(), request.getHandle(), status);
    if (port == null) {
      Calls.reply(out, PortWaitReply.newBuilder().setStatusValue(status[0]).build());
      return;
    }
    new PortWaitStream(Calls.caller(), port, (ServerCallStreamObserver<PortWaitReply>) out).start();
  }

  static PortWaitReply reply(PortWait.Result r) {
    PortWaitReply.Builder reply = PortWaitReply.newBuilder().setStatusValue(r.status());
    if (r.packet() != null) {
      reply.setPacket(packet(r.packet()));
    }
    return reply.build();
  }

  static dev.zxd.proto.v1.PortPacket packet(PortPacket p) {
    dev.zxd.proto.v1.PortPacket.Builder b = dev.zxd.proto.v1.PortPacket.newBuilder()
        .setKey(p.key).setType(p.type).setStatusValue(p.status);
    if (p.type == PortPacket.TYPE_USER) {
      PacketUser.Builder u = PacketUser.newBuilder();
      for (long v : p.user) {
        u.addU64(v);
      }
      b.setUser(u);
    } else {
      b.setSignal(PacketSignal.newBuilder().setTrigger(p.trigger).setObserved(p.observed)
          .setCount(p.count).setTimestamp(p.timestamp));
    }
    return b.build();
  }

  /**
   * Port/WaitStream: drains the port into the stream while gRPC says the client can take more, and parks one
   * zx_port_wait when the port is empty. A slow client leaves packets in the port (bounded by Zircon's limit).
   * One drain runs at a time; concurrent triggers just ask it to go round again.
   */
  private final class PortWaitStream {
    private final Process owner;
    private final dev.zxd.kernel.Port port;
    private final ServerCallStreamObserver<PortWaitReply> stream;
    private final java.util.concurrent.atomic.AtomicInteger work = new java.util.concurrent.atomic.AtomicInteger();
    private PortWait.Result delivered; // guarded by this
    private Runnable pendingWait; // guarded by this: the parked wait's abandon action, null if none
    private boolean ended; // guarded by this
    private boolean stalled; // guarded by this
    private final StreamStallLimit.Watch stall;

    PortWaitStream(Process owner, dev.zxd.kernel.Port port, ServerCallStreamObserver<PortWaitReply> stream) {
      this.owner = owner;
      this.port = port;
      this.stream = stream;
      this.stall = stallLimit.watch(stream::isReady, this::endStalled);
    }

    void start() {
      stream.setOnCancelHandler(this::onCancel);
      stream.setOnReadyHandler(() -> {
        stall.progressed();
        drain();
      });
      drain();
    }

    /** The client read nothing for the stall limit while packets waited: the next drain ends the stream. */
    private void endStalled() {
      synchronized (this) {
        stalled = true;
      }
      drain();
    }

    private void onCancel() {
      stall.close();
      Runnable abandon;
      synchronized (this) {
        ended = true;
        abandon = pendingWait;
        pendingWait = null;
      }
      if (abandon != null) {
        abandon.run();
      }
    }

    private void drain() {
      if (work.getAndIncrement() != 0) {
        return;
      }
      do {
        drainOnce();
      } while (work.decrementAndGet() != 0);
    }

    private void drainOnce() {
      while (true) {
        PortWait.Result next;
        boolean endNow;
        synchronized (this) {
          if (ended) {
            return;
          }
          endNow = stalled;
          next = delivered;
          delivered = null;
        }
        if (endNow) {
          // Abandons the parked wait. Packets still in the port stay there; one the wait had already taken
          // for this stream goes with it, as when a client cancels.
          onCancel();
          try {
            stream.onError(stallLimit.status("Port/WaitStream").asRuntimeException());
          } catch (IllegalStateException | io.grpc.StatusRuntimeException gone) {
            // The client left at the same moment.
          }
          return;
        }
        if (next != null) {
          if (next.status() != Status.OK) {
            end(reply(next));
            return;
          }
          stream.onNext(reply(next));
          continue;
        }
        if (!stream.isReady()) {
          stall.blocked();
          return; // the on-ready handler drains again
        }
        PortPacket p = port.poll();
        if (p != null) {
          stream.onNext(PortWaitReply.newBuilder().setPacket(packet(p)).build());
          continue;
        }
        synchronized (this) {
          if (pendingWait != null) {
            return; // already parked
          }
          pendingWait = () -> {};
        }
        Runnable abandon = port.waitFor(owner, MonotonicClock.INFINITE, r -> {
          synchronized (this) {
            pendingWait = null;
            delivered = r;
          }
          drain();
        });
        synchronized (this) {
          if (pendingWait != null) {
            pendingWait = abandon;
          }
        }
        return;
      }
    }

    private void end(PortWaitReply last) {
      stall.close();
      synchronized (this) {
        ended = true;
      }
      try {
        stream.onNext(last);
        stream.onCompleted();
      } catch (IllegalStateException | io.grpc.StatusRuntimeException gone) {
        // The client left at the same moment.
      }
    }
  }
}
