package dev.zxd.kernel;

/**
 * One end of a pair (channel, socket, eventpair). Both ends share one lock, so an operation that touches both
 * (a write, a close) is a single critical section, as with Zircon's PeerHolder.
 */
abstract class PeeredObject<T extends PeeredObject<T>> extends KernelObject {
  protected T peer; // guarded by lock; null once the peer's last handle is gone
  private long peerKoid; // written once, in link(), before either end is published

  protected PeeredObject(Kernel kernel, Object sharedLock, int initialSignals) {
    super(kernel, sharedLock, initialSignals);
  }

  static <T extends PeeredObject<T>> void link(T a, T b) {
    a.peer = b;
    b.peer = a;
    a.setPeerKoid(b.koid());
    b.setPeerKoid(a.koid());
  }

  final void setPeerKoid(long koid) {
    peerKoid = koid;
  }

  @Override
  public final long relatedKoid() {
    return peerKoid;
  }

  @Override
  protected final boolean isPeered() {
    return true;
  }

  @Override
  protected final KernelObject peerLocked() {
    return peer;
  }

  @Override
  protected final void onZeroHandlesLocked(Wakeups wakeups) {
    T other = peer;
    peer = null;
    if (other != null) {
      other.peer = null;
      other.onPeerClosedLocked(wakeups);
    }
    onDestroyLocked(wakeups);
  }

  /** The other end lost its last handle (called on the survivor, under the shared lock). */
  protected abstract void onPeerClosedLocked(Wakeups wakeups);

  /** This end lost its last handle: free what it holds. */
  protected void onDestroyLocked(Wakeups wakeups) {}
}
