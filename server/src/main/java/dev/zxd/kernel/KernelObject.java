package dev.zxd.kernel;

/**
 * The common base of every kernel object (Zircon's Dispatcher): koid, signal state, observers and handle count,
 * all guarded by {@link #lock}. Peered objects (the two ends of a channel, socket or eventpair) share one lock,
 * as Zircon's PeerHolder does, so a write that changes both ends' signals is one critical section.
 *
 * <p>Observers are called under the lock and only record; everything that reaches outside this object is
 * deferred to a {@link Wakeups} that the syscall runs once it has unlocked.
 */
public abstract class KernelObject {
  protected final Kernel kernel;
  protected final Object lock;
  private final long koid;

  private int signals; // guarded by lock
  private int handleCount; // guarded by lock
  private boolean destroyed; // guarded by lock
  private long changes; // guarded by lock: bumped whenever the handle count or the handles held inside change
  private SignalObserver observers; // guarded by lock; most recently added first, as Zircon notifies

  protected KernelObject(Kernel kernel, Object lock, int initialSignals) {
    this.kernel = kernel;
    this.lock = lock;
    this.koid = kernel.newKoid();
    this.signals = initialSignals;
    kernel.objects().register(this);
  }

  public final long koid() {
    return koid;
  }

  /** ZX_OBJ_TYPE_*. */
  public abstract int type();

  /** The peer's koid for peered objects (kept after the peer is gone), otherwise 0. */
  public long relatedKoid() {
    return 0;
  }

  /** Whether the object has signal state one can wait on (ports do not). */
  public boolean isWaitable() {
    return true;
  }

  /** The bits zx_object_signal may set or clear here: the user signals, plus SIGNALED on events. */
  protected int userSignalMask() {
    return Signals.USER_ALL;
  }

  /** The other end, for zx_object_signal_peer, or null when this type has none (NOT_SUPPORTED). */
  protected KernelObject peerLocked() {
    return null;
  }

  /** Whether this type has a peer at all (so a missing one means PEER_CLOSED, not NOT_SUPPORTED). */
  protected boolean isPeered() {
    return false;
  }

  public final int signals() {
    synchronized (lock) {
      return signals;
    }
  }

  public final int handleCount() {
    synchronized (lock) {
      return handleCount;
    }
  }

  final int signalsLocked() {
    return signals;
  }

  // ---- signals and observers ----

  /** s = (s & ~clear) | set; observers hear of it only if the state changed. */
  protected final void updateStateLocked(int clear, int set, Wakeups wakeups) {
    int old = signals;
    int now = (old & ~clear) | set;
    if (now == old) {
      return;
    }
    signals = now;
    for (SignalObserver o = observers; o != null; ) {
      SignalObserver next = o.next;
      if (o.onStateChangeLocked(now, wakeups)) {
        unlinkLocked(o);
      }
      o = next;
    }
  }

  /**
   * Registers an observer; it is first told the current state, and is not linked at all if that already
   * finishes it (an already-satisfied wait).
   */
  final void addObserver(SignalObserver observer, Wakeups wakeups) {
    synchronized (lock) {
      addObserverLocked(observer, wakeups);
    }
  }

  final void addObserverLocked(SignalObserver observer, Wakeups wakeups) {
    if (observer.onStateChangeLocked(signals, wakeups)) {
      return;
    }
    if (observer.handle != null && observer.handle.isReleasedLocked()) {
      // Another call closed the handle between this syscall's lookup and now. Zircon registers under the
      // handle-table lock, so there the close would have canceled the wait: do the same, or it is never ended.
      observer.onCancelLocked(signals, wakeups);
      return;
    }
    observer.owner = this;
    observer.prev = null;
    observer.next = observers;
    if (observers != null) {
      observers.prev = observer;
    }
    observers = observer;
  }

  /** Unlinks an observer if it is still linked; returns whether it was. */
  final boolean removeObserver(SignalObserver observer) {
    synchronized (lock) {
      return removeObserverLocked(observer);
    }
  }

  final boolean removeObserverLocked(SignalObserver observer) {
    if (observer.owner != this) {
      return false;
    }
    unlinkLocked(observer);
    return true;
  }

  private void unlinkLocked(SignalObserver o) {
    if (o.prev != null) {
      o.prev.next = o.next;
    } else {
      observers = o.next;
    }
    if (o.next != null) {
      o.next.prev = o.prev;
    }
    o.prev = null;
    o.next = null;
    o.owner = null;
  }

  /** Cancels every observer waiting through {@code handle} (zircon's Dispatcher::Cancel). */
  final void cancelObservers(Handle handle, Wakeups wakeups) {
    synchronized (lock) {
      cancelObserversLocked(handle, wakeups);
    }
  }

  private void cancelObserversLocked(Handle handle, Wakeups wakeups) {
    for (SignalObserver o = observers; o != null; ) {
      SignalObserver next = o.next;
      if (o.handle == handle) {
        unlinkLocked(o);
        o.onCancelLocked(signals, wakeups);
      }
      o = next;
    }
  }

  /** Unlinks every observer {@code which} selects (zx_port_cancel); returns how many. */
  final int removeObservers(java.util.function.Predicate<SignalObserver> which) {
    synchronized (lock) {
      int n = 0;
      for (SignalObserver o = observers; o != null; ) {
        SignalObserver next = o.next;
        if (which.test(o)) {
          unlinkLocked(o);
          n++;
        }
        o = next;
      }
      return n;
    }
  }

  /** Calls {@code sink} with every observer linked here; under the lock. */
  final void forEachObserverLocked(java.util.function.Consumer<SignalObserver> sink) {
    for (SignalObserver o = observers; o != null; o = o.next) {
      sink.accept(o);
    }
  }

  /** Number of observers (pending waits) linked here. */
  public final int observerCount() {
    synchronized (lock) {
      int n = 0;
      for (SignalObserver o = observers; o != null; o = o.next) {
        n++;
      }
      return n;
    }
  }

  // ---- handles and lifetime ----

  final void acquireHandle() {
    synchronized (lock) {
      if (destroyed) {
        throw new IllegalStateException("handle to destroyed " + this);
      }
      handleCount++;
      changes++;
    }
  }

  final void releaseHandle(Handle handle, Wakeups wakeups) {
    boolean destroyNow;
    boolean mayStrandCycle;
    synchronized (lock) {
      if (!handle.markReleasedLocked()) {
        throw new IllegalStateException("handle released twice: " + handle);
      }
      mayStrandCycle = mayStrandCycleLocked();
      cancelObserversLocked(handle, wakeups);
      handleCount--;
      changes++;
      if (handleCount == 0) {
        onZeroHandlesLocked(wakeups);
      }
      destroyNow = handleCount == 0 && !keptAliveLocked() && !destroyed;
      if (destroyNow) {
        destroyed = true;
      }
    }
    if (destroyNow) {
      kernel.objects().unregister(this);
    }
    if (mayStrandCycle) {
      kernel.cycles().request();
    }
  }

  /**
   * Whether losing a handle here may leave objects reachable only from message queues (a reference cycle), so
   * the {@link CycleCollector} should have a look. Called under the lock, before the count drops.
   */
  protected boolean mayStrandCycleLocked() {
    return false;
  }

  /** Counts changes of the handle count and of the handles held inside; for the cycle collector's snapshots. */
  final long changesLocked() {
    return changes;
  }

  /** Called by containers (channel queues, socket share slots) whenever the handles they hold change. */
  protected final void contentsChangedLocked() {
    changes++;
  }

  /** Handles this object holds inside it (queued messages, a share slot), for reachability and accounting. */
  void heldHandlesLocked(java.util.function.Consumer<Handle> sink) {}

  /** A copy of {@link #heldHandlesLocked}, for invariant checks. */
  final java.util.List<Handle> heldHandles() {
    java.util.List<Handle> out = new java.util.ArrayList<>();
    synchronized (lock) {
      heldHandlesLocked(out::add);
    }
    return out;
  }

  /** The other end of a peered object while it is alive, else null (for the cycle collector). */
  final KernelObject livePeer() {
    synchronized (lock) {
      return peerLocked();
    }
  }

  /** Whether the object has lost its last handle for good. */
  protected final boolean destroyedLocked() {
    return destroyed;
  }

  /** Called when the last handle goes away; peers learn of it here (through {@code wakeups} if cross-lock). */
  protected void onZeroHandlesLocked(Wakeups wakeups) {}

  /** Whether something other than handles keeps this object alive (a running process). */
  protected boolean keptAliveLocked() {
    return false;
  }

  /** Re-checks whether the object can now be destroyed, after whatever kept it alive let go. */
  protected final void maybeDestroy() {
    boolean destroyNow;
    synchronized (lock) {
      destroyNow = handleCount == 0 && !keptAliveLocked() && !destroyed;
      if (destroyNow) {
        destroyed = true;
      }
    }
    if (destroyNow) {
      kernel.objects().unregister(this);
    }
  }

  @Override
  public String toString() {
    return ObjectType.name(type()) + ":" + koid;
  }
}
