package dev.zxd.kernel;

import java.util.function.Consumer;

/** zx_port_create / queue / wait / cancel, and zx_object_wait_async (which targets a port). */
public final class PortSyscalls {
  public static final int BIND_TO_INTERRUPT = 1;
  public static final int WAIT_ASYNC_TIMESTAMP = PortObserver.TIMESTAMP;
  public static final int WAIT_ASYNC_EDGE = PortObserver.EDGE;

  private final Kernel kernel;

  PortSyscalls(Kernel kernel) {
    this.kernel = kernel;
  }

  public HandleResult create(Process p, int options) {
    if (options != 0 && options != BIND_TO_INTERRUPT) {
      return HandleResult.failed(Status.ERR_INVALID_ARGS);
    }
    return Installer.installOne(p, () -> new Port(kernel), Rights.DEFAULT_PORT, "zx_port_create");
  }

  /** zx_port_queue: a user packet (type forced to USER). SHOULD_WAIT once more than 2 048 are pending. */
  public int queue(Process p, int handle, long key, int status, long[] payload) {
    Handle h = p.handles().get(handle);
    int st = Lookup.check(h, ObjectType.PORT, Rights.WRITE);
    if (st != Status.OK) {
      return st;
    }
    if (payload.length > 4) {
      return Status.ERR_INVALID_ARGS;
    }
    long[] user = java.util.Arrays.copyOf(payload, 4);
    Wakeups wakeups = new Wakeups();
    st = ((Port) h.object()).queue(PortPacket.user(key, status, user), wakeups);
    wakeups.run();
    return st;
  }

  /** zx_port_wait: the oldest packet, FIFO among waiters. Needs READ (Zircon's code; its doc said WRITE). */
  public Runnable wait(Process p, int handle, long deadline, Consumer<PortWait.Result> done) {
    Port port = lookupPort(p, handle, Rights.READ, done);
    if (port == null) {
      return () -> {};
    }
    return port.waitFor(p, deadline, done);
  }

  /** The port behind a handle checked for {@code rights}, or null after reporting the failure. */
  private static Port lookupPort(Process p, int handle, int rights, Consumer<PortWait.Result> done) {
    Handle h = p.handles().get(handle);
    int st = Lookup.check(h, ObjectType.PORT, rights);
    if (st != Status.OK) {
      done.accept(new PortWait.Result(st, null));
      return null;
    }
    return (Port) h.object();
  }

  /** The port a streaming wait reads from (READ checked), or null with the status in {@code status[0]}. */
  public Port portForReading(Process p, int handle, int[] status) {
    Handle h = p.handles().get(handle);
    status[0] = Lookup.check(h, ObjectType.PORT, Rights.READ);
    return status[0] == Status.OK ? (Port) h.object() : null;
  }

  /**
   * zx_port_cancel: removes every async wait of (source handle, key) on this port and every queued packet they
   * made. OK if anything was removed, NOT_FOUND otherwise. Matching is by handle, not object.
   */
  public int cancel(Process p, int portHandle, int source, long key) {
    Handle ph = p.handles().get(portHandle);
    int st = Lookup.check(ph, ObjectType.PORT, Rights.WRITE);
    if (st != Status.OK) {
      return st;
    }
    Handle sh = p.handles().get(source);
    st = Lookup.checkWaitable(sh);
    if (st != Status.OK) {
      return st;
    }
    Port port = (Port) ph.object();
    int removed = sh.object().removeObservers(o -> {
      if (o instanceof PortObserver po && po.matches(port, sh, key)) {
        po.onPortCancelLocked();
        return true;
      }
      return false;
    });
    removed += port.cancelPackets(sh, key);
    return removed > 0 ? Status.OK : Status.ERR_NOT_FOUND;
  }

  /**
   * zx_object_wait_async. The port is checked first (BAD_HANDLE / WRONG_TYPE / ACCESS_DENIED without WRITE),
   * then the handle (BAD_HANDLE, ACCESS_DENIED without WAIT, NOT_SUPPORTED if not waitable), then the options
   * (TIMESTAMP and EDGE; anything else INVALID_ARGS), then the daemon's own limit (NO_RESOURCES when the
   * caller has all its pending-wait slots in use). Signals already asserted queue a packet at once (except with
   * EDGE).
   */
  public int waitAsync(Process p, int handle, int portHandle, long key, int signals, int options) {
    Handle ph = p.handles().get(portHandle);
    int st = Lookup.check(ph, ObjectType.PORT, Rights.WRITE);
    if (st != Status.OK) {
      return st;
    }
    Handle h = p.handles().get(handle);
    st = Lookup.checkWaitable(h);
    if (st != Status.OK) {
      return st;
    }
    if ((options & ~(WAIT_ASYNC_TIMESTAMP | WAIT_ASYNC_EDGE)) != 0) {
      return Status.ERR_INVALID_ARGS;
    }
    if (!p.reserveWait()) {
      return Status.ERR_NO_RESOURCES;
    }
    Wakeups wakeups = new Wakeups();
    h.object().addObserver(new PortObserver(p, h, (Port) ph.object(), key, signals, options), wakeups);
    wakeups.run();
    return Status.OK;
  }
}
