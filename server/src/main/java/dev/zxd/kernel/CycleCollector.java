package dev.zxd.kernel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Frees channel reference cycles no process can reach. In Zircon a channel endpoint whose only handles sit in
 * messages queued on itself (or on a ring of channels that ends back at it) lives forever; zxd promises that a
 * kernel whose processes have all exited holds nothing, so it collects such garbage. Collecting is invisible to
 * live processes: only objects that no process, token, pending wait or live peer can reach are freed, and
 * nothing outside them loses a handle.
 *
 * <p>A pass runs on the timer thread, never in a syscall: after process deaths and after a channel endpoint with
 * handles queued (on it or its peer) loses a handle, debounced so a burst of such events costs one pass, and
 * spaced so passes take at most about a tenth of the timer thread. A pass:
 *
 * <ol>
 *   <li>marks what is reachable from the roots (live processes and their tables, protocol-info tokens, objects
 *       a client is waiting on, ports with waiters), through queued handles, share slots, peers, and from a
 *       port to the objects its async waits watch; what is left are candidates;
 *   <li>snapshots every candidate twice (change counter, handle count, handles held inside); a candidate whose
 *       counter moved in between is dropped, so the rest are consistent at one instant between the two reads
 *       (a double collect: each object's state held still over an interval containing that instant);
 *   <li>keeps, until nothing changes, only candidates whose every handle sits inside another kept candidate,
 *       whose live peer is kept, which hold handles only to kept candidates, and which at the second read have
 *       no client waiting and no async wait aimed at a port outside the set. Such a set is garbage for good:
 *       touching any of it needs a handle it does not hold, and nobody can read its ports;
 *   <li>empties the queues of the channels in the set, which closes every handle to the set, so each object
 *       dies as it would with its last handle (peers inside the set see PEER_CLOSED; nobody else can tell).
 * </ol>
 *
 * <p>The collector holds one object lock at a time, so it adds no lock order to the kernel.
 */
public final class CycleCollector {
  private final Kernel kernel;
  private final AtomicBoolean requested = new AtomicBoolean();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong passes = new AtomicLong();
  private final AtomicLong freed = new AtomicLong();
  private volatile long notBefore;

  CycleCollector(Kernel kernel) {
    this.kernel = kernel;
  }

  /** Asks for a pass soon, on the timer thread. Requests made before it starts are served by that one pass. */
  void request() {
    if (!requested.compareAndSet(false, true)) {
      return;
    }
    inFlight.incrementAndGet();
    try {
      kernel.timers().at(Math.max(kernel.clock().now(), notBefore), this::runRequested);
    } catch (RejectedExecutionException shuttingDown) {
      requested.set(false);
      inFlight.decrementAndGet();
    }
  }

  private void runRequested() {
    try {
      requested.set(false);
      long start = kernel.clock().now();
      collect();
      long end = kernel.clock().now();
      notBefore = end + 9 * (end - start);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  /** Whether no pass is scheduled or running (for tests that wait for the collector to settle). */
  public boolean isIdle() {
    return inFlight.get() == 0;
  }

  /** Passes run so far. */
  public long passes() {
    return passes.get();
  }

  /** Objects freed so far. */
  public long freed() {
    return freed.get();
  }

  /** One pass, now, on the calling thread (which must hold no object lock). Returns how many objects it freed. */
  public synchronized int collect() {
    passes.incrementAndGet();
    List<KernelObject> candidates = unreachable();
    if (candidates.isEmpty()) {
      return 0;
    }
    Map<KernelObject, State> first = snapshot(candidates);
    Map<KernelObject, State> second = snapshot(candidates);
    Set<KernelObject> garbage = Collections.newSetFromMap(new IdentityHashMap<>());
    for (KernelObject o : candidates) {
      State a = first.get(o);
      State b = second.get(o);
      // An object with no handle is already dying (or is a running process): not ours to free.
      if (a.changes == b.changes && b.quiet && b.handleCount > 0) {
        garbage.add(o);
      }
    }
    if (!closeOver(garbage, second)) {
      return 0;
    }
    if (garbage.isEmpty()) {
      return 0;
    }
    // Garbage cannot change; a moved counter here would mean the reasoning above is wrong, so touch nothing.
    Map<KernelObject, State> third = snapshot(new ArrayList<>(garbage));
    for (KernelObject o : garbage) {
      if (third.get(o).changes != second.get(o).changes) {
        return 0;
      }
    }
    Wakeups wakeups = new Wakeups();
    for (KernelObject o : garbage) {
      if (o instanceof Channel c) {
        c.discardQueue(wakeups);
      }
    }
    wakeups.run();
    freed.addAndGet(garbage.size());
    return garbage.size();
  }

  /** Everything not reachable from a root, through held handles and peers. */
  private List<KernelObject> unreachable() {
    Set<KernelObject> reached = Collections.newSetFromMap(new IdentityHashMap<>());
    ArrayDeque<KernelObject> todo = new ArrayDeque<>();
    List<KernelObject> all = kernel.objects().all();
    for (Process p : kernel.processes().all()) {
      todo.add(p);
      for (Handle h : p.handleSnapshot().values()) {
        todo.add(h.object());
      }
    }
    for (Handle h : kernel.tokens().heldHandles()) {
      todo.add(h.object());
    }
    for (KernelObject o : all) {
      if (isRoot(o)) {
        todo.add(o);
      }
    }
    while (!todo.isEmpty()) {
      KernelObject o = todo.poll();
      if (!reached.add(o)) {
        continue;
      }
      for (Handle h : o.heldHandles()) {
        todo.add(h.object());
      }
      KernelObject peer = o.livePeer();
      if (peer != null) {
        todo.add(peer);
      }
      if (o instanceof Port port) {
        // Whoever can read this port would see the packets of the async waits aimed at it.
        todo.addAll(port.watchedObjects());
      }
    }
    List<KernelObject> left = new ArrayList<>();
    for (KernelObject o : all) {
      if (!reached.contains(o)) {
        left.add(o);
      }
    }
    return left;
  }

  /**
   * A root: a live process, a port someone waits on, or an object with a wait a client is in (wait_one,
   * wait_many, channel_call). An async wait only matters if its port is reachable: see {@link #unreachable}.
   */
  private static boolean isRoot(KernelObject o) {
    synchronized (o.lock) {
      return isRootLocked(o, new ArrayList<>());
    }
  }

  /** As {@link #isRoot}; adds the ports of the async waits on {@code o} to {@code ports}. */
  private static boolean isRootLocked(KernelObject o, List<Port> ports) {
    boolean[] clientWait = {false};
    o.forEachObserverLocked(observer -> {
      if (observer instanceof PortObserver po) {
        ports.add(po.port);
      } else {
        clientWait[0] = true;
      }
    });
    return clientWait[0]
        || (o instanceof Port port && port.pendingWaiters() > 0)
        || (o instanceof Process p && p.isAlive());
  }

  /**
   * One object's state, read under its lock. {@code quiet}: not a root; {@code ports}: those its async waits
   * would queue packets on.
   */
  private record State(long changes, int handleCount, List<Handle> held, KernelObject peer, boolean quiet,
      List<Port> ports) {}

  private static Map<KernelObject, State> snapshot(List<KernelObject> objects) {
    Map<KernelObject, State> states = new IdentityHashMap<>();
    for (KernelObject o : objects) {
      synchronized (o.lock) {
        List<Handle> held = new ArrayList<>(0);
        o.heldHandlesLocked(held::add);
        List<Port> ports = new ArrayList<>(0);
        boolean root = isRootLocked(o, ports);
        states.put(o, new State(o.changesLocked(), o.handleCount(), held, o.peerLocked(), !root, ports));
      }
    }
    return states;
  }

  /**
   * Shrinks {@code set} to its largest subset that is closed: every handle to a member held inside members,
   * every live peer a member, every held handle naming a member. Returns false if the snapshot is inconsistent
   * (one handle seen in two places), in which case nothing may be freed.
   */
  private static boolean closeOver(Set<KernelObject> set, Map<KernelObject, State> states) {
    boolean shrunk = true;
    while (shrunk && !set.isEmpty()) {
      shrunk = false;
      Map<KernelObject, Integer> inside = new IdentityHashMap<>();
      Set<Handle> seen = Collections.newSetFromMap(new IdentityHashMap<>());
      Set<KernelObject> leaking = Collections.newSetFromMap(new IdentityHashMap<>());
      for (KernelObject o : set) {
        for (Handle h : states.get(o).held()) {
          if (!seen.add(h)) {
            return false;
          }
          if (set.contains(h.object())) {
            inside.merge(h.object(), 1, Integer::sum);
          } else {
            leaking.add(o); // freeing it would close a handle to something that stays
          }
        }
      }
      for (KernelObject o : new ArrayList<>(set)) {
        State s = states.get(o);
        boolean external = s.handleCount() != inside.getOrDefault(o, 0);
        boolean livePeerOutside = s.peer() != null && !set.contains(s.peer());
        boolean watchedFromOutside = !set.containsAll(s.ports());
        if (external || livePeerOutside || watchedFromOutside || leaking.contains(o)) {
          set.remove(o);
          shrunk = true;
        }
      }
    }
    return true;
  }
}
