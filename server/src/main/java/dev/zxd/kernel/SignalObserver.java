package dev.zxd.kernel;

/**
 * Something waiting for an object's signals: a wait_one, one item of a wait_many, a channel_call's reply, an
 * async wait on a port. Lives in its object's intrusive list (so removal is O(1) even with 100 000 waits on one
 * object) and is called with the object's lock held, so it must only decide and record; anything that reaches
 * outside the object (replying to a client, touching another object) goes into the {@link Wakeups}.
 */
public abstract class SignalObserver {
  /** The handle the wait was made through; closing it cancels the wait. Null for waits not tied to a handle. */
  final Handle handle;

  SignalObserver prev;
  SignalObserver next;
  KernelObject owner;

  protected SignalObserver(Handle handle) {
    this.handle = handle;
  }

  /**
   * The object's signals are now {@code state} (also called once on registration with the initial state).
   * Returns true when this observer is finished and must be unlinked.
   */
  protected abstract boolean onStateChangeLocked(int state, Wakeups wakeups);

  /** The handle this observer waits through was closed or moved away; the observer is unlinked after this. */
  protected abstract void onCancelLocked(int state, Wakeups wakeups);

  final boolean isLinked() {
    return owner != null;
  }
}
