package dev.zxd.kernel;

/** One end of an eventpair: signals on itself, and on its peer through signal_peer. */
public final class EventPair extends PeeredObject<EventPair> {
  private EventPair(Kernel kernel, Object lock) {
    super(kernel, lock, 0);
  }

  static EventPair[] createPair(Kernel kernel) {
    Object lock = new Object();
    EventPair a = new EventPair(kernel, lock);
    EventPair b = new EventPair(kernel, lock);
    link(a, b);
    return new EventPair[] {a, b};
  }

  @Override
  public int type() {
    return ObjectType.EVENTPAIR;
  }

  @Override
  protected int userSignalMask() {
    return Signals.USER_ALL | Signals.EVENTPAIR_SIGNALED;
  }

  @Override
  protected void onPeerClosedLocked(Wakeups wakeups) {
    // Signals already set (SIGNALED, user signals) stay set.
    updateStateLocked(0, Signals.EVENTPAIR_PEER_CLOSED, wakeups);
  }
}
