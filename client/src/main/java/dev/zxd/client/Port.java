package dev.zxd.client;

import dev.zxd.proto.v1.PacketUser;
import dev.zxd.proto.v1.PortCancelRequest;
import dev.zxd.proto.v1.PortPacket;
import dev.zxd.proto.v1.PortQueueRequest;
import dev.zxd.proto.v1.PortWaitReply;
import dev.zxd.proto.v1.PortWaitRequest;
import dev.zxd.proto.v1.PortWaitStreamRequest;
import dev.zxd.proto.v1.Status;
import io.grpc.Context;
import java.util.Iterator;
import java.util.NoSuchElementException;

/** A port: one place to wait for many objects (with {@link Handle#waitAsync}) and for user packets. */
public final class Port extends Handle {
  Port(ZxProcess process, int value) {
    super(process, value);
  }

  @Override
  protected Handle rewrap(int newValue) {
    return new Port(process, newValue);
  }

  /** zx_port_queue of a user packet (payload: up to four u64). */
  public void queue(long key, long... payload) {
    PacketUser.Builder user = PacketUser.newBuilder();
    for (long v : payload) {
      user.addU64(v);
    }
    ZxException.check(process.stubs().port.queue(PortQueueRequest.newBuilder().setHandle(value())
        .setPacket(PortPacket.newBuilder().setKey(key).setUser(user)).build()).getStatus(), "zx_port_queue");
  }

  /** zx_port_wait: the next packet, or TIMED_OUT as a {@link ZxException}. */
  public PortPacket waitPacket(long deadline) {
    PortWaitReply r = process.stubs().port.wait(PortWaitRequest.newBuilder().setHandle(value())
        .setDeadline(deadline).build());
    ZxException.check(r.getStatus(), "zx_port_wait");
    return r.getPacket();
  }

  /** zx_port_cancel of the async waits made through {@code source} with {@code key}. */
  public void cancel(Handle source, long key) {
    ZxException.check(process.stubs().port.cancel(PortCancelRequest.newBuilder().setHandle(value())
        .setSource(source.value()).setKey(key).build()).getStatus(), "zx_port_cancel");
  }

  /**
   * An event loop's view of the port: every packet as it is queued, over one stream (Port/WaitStream), paced by
   * gRPC flow control. Close it to stop.
   */
  public Packets packets() {
    return new Packets(this);
  }

  /** A blocking iterator over the packets of a port. */
  public static final class Packets implements Iterator<PortPacket>, AutoCloseable {
    private final Context.CancellableContext context = Context.current().withCancellation();
    private final Iterator<PortWaitReply> replies;
    private PortPacket next;

    Packets(Port port) {
      Context previous = context.attach();
      try {
        replies = port.process.stubs().portBlocking().waitStream(
            PortWaitStreamRequest.newBuilder().setHandle(port.value()).build());
      } finally {
        context.detach(previous);
      }
    }

    @Override
    public boolean hasNext() {
      if (next != null) {
        return true;
      }
      if (!replies.hasNext()) {
        return false;
      }
      PortWaitReply r = replies.next();
      if (r.getStatus() != Status.ZX_OK) {
        throw new ZxException(r.getStatus(), "port_wait_stream");
      }
      next = r.getPacket();
      return true;
    }

    @Override
    public PortPacket next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      PortPacket p = next;
      next = null;
      return p;
    }

    @Override
    public void close() {
      context.cancel(null);
    }
  }
}
