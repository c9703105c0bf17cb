package dev.zxd.kernel;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.Consumer;

/**
 * A port: a FIFO of packets (user packets and async-wait signal packets) and the waiters for them. Not
 * waitable itself. Holds at most {@link #MAX_PENDING} + 1 packets: Zircon refuses a queue only once the count
 * is already above the limit, so 2 049 fit.
 *
 * <p>Lock order: an object's lock may be held while queueing here (an async wait firing); this port never
 * takes another object's lock while holding its own.
 */
public final class Port extends KernelObject {
  public static final int MAX_PENDING = 2048;

  private final ArrayDeque<PortPacket> queue = new ArrayDeque<>(); // guarded by lock
  private final ArrayDeque<PortWait> waiters = new ArrayDeque<>(); // guarded by lock
  private boolean closed; // guarded by lock
  // The async waits aimed at this port, so closing the port can unhook them from their objects.
  private final java.util.Set<PortObserver> observers = java.util.concurrent.ConcurrentHashMap.newKeySet();

  Port(Kernel kernel) {
    super(kernel, new Object(), 0);
  }

  @Override
  public int type() {
    return ObjectType.PORT;
  }

  @Override
  public boolean isWaitable() {
    return false;
  }

  public int queuedPackets() {
    synchronized (lock) {
      return queue.size();
    }
  }

  public int pendingWaiters() {
    synchronized (lock) {
      return waiters.size();
    }
  }

  /** Queues a packet, or hands it straight to the oldest waiter. SHOULD_WAIT when full; BAD_STATE if closed. */
  int queue(PortPacket packet, Wakeups wakeups) {
    synchronized (lock) {
      if (closed) {
        return Status.ERR_BAD_STATE;
      }
      if (queue.size() > MAX_PENDING) {
        return Status.ERR_SHOULD_WAIT;
      }
      PortWait waiter = waiters.pollFirst();
      if (waiter != null) {
        waiter.deliverLocked(packet, wakeups);
      } else {
        queue.addLast(packet);
      }
      return Status.OK;
    }
  }

  /** Takes the oldest packet if there is one (no waiting). */
  public PortPacket poll() {
    synchronized (lock) {
      return queue.pollFirst();
    }
  }

  /**
   * Waits for one packet on behalf of {@code owner}: {@code done} gets it (or a status: TIMED_OUT, CANCELED,
   * or NO_RESOURCES when the owner has all its pending-wait slots in use). Returns how to abandon the wait. A
   * past deadline polls.
   */
  public Runnable waitFor(Process owner, long deadline, Consumer<PortWait.Result> done) {
    if (!owner.reserveWait()) {
      done.accept(new PortWait.Result(Status.ERR_NO_RESOURCES, null));
      return () -> {};
    }
    PortWait w = new PortWait(owner, this, done);
    Wakeups wakeups = new Wakeups();
    boolean registered;
    synchronized (lock) {
      PortPacket p = queue.pollFirst();
      if (p != null) {
        w.deliverLocked(p, wakeups);
        registered = false;
      } else if (closed) {
        w.failLocked(Status.ERR_CANCELED, wakeups);
        registered = false;
      } else if (deadline <= kernel.clock().now()) {
        w.failLocked(Status.ERR_TIMED_OUT, wakeups);
        registered = false;
      } else {
        waiters.addLast(w);
        registered = true;
      }
    }
    wakeups.run();
    if (registered) {
      w.arm(kernel.timers(), deadline);
    }
    return w::abandon;
  }

  void removeWaiterLocked(PortWait w) {
    waiters.remove(w);
  }

  Object lock() {
    return lock;
  }

  /** Drops queued signal packets of (source handle, key); returns how many. */
  int cancelPackets(Handle source, long key) {
    synchronized (lock) {
      int n = 0;
      for (Iterator<PortPacket> it = queue.iterator(); it.hasNext(); ) {
        PortPacket p = it.next();
        if (p.source == source && p.key == key) {
          it.remove();
          n++;
        }
      }
      return n;
    }
  }

  void track(PortObserver o) {
    observers.add(o);
  }

  void untrack(PortObserver o) {
    observers.remove(o);
  }

  /** The objects watched by async waits aimed at this port (for the cycle collector). */
  java.util.List<KernelObject> watchedObjects() {
    return observers.stream().map(PortObserver::watched).toList();
  }

  /** Async waits aimed at this port and not yet fired. */
  public int asyncWaits() {
    return observers.size();
  }

  @Override
  protected void onZeroHandlesLocked(Wakeups wakeups) {
    closed = true;
    queue.clear();
    // Unhooking takes each watched object's lock, which must not be taken under this port's lock.
    for (PortObserver o : observers) {
      wakeups.add(o::detach);
    }
    observers.clear();
    for (PortWait w; (w = waiters.pollFirst()) != null; ) {
      w.failLocked(Status.ERR_CANCELED, wakeups);
    }
  }
}
