package dev.zxd.kernel;

import java.util.function.Consumer;

/**
 * A pending zx_object_wait_one. Ends when a watched signal is asserted (OK), at the deadline (TIMED_OUT), or
 * when its handle is closed (CANCELED, with HANDLE_CLOSED). {@code observed} accumulates every state seen.
 * Holds one of its process's pending-wait slots until it ends (or is abandoned).
 */
final class WaitOne extends SignalObserver {
  private final Process owner;
  private final KernelObject object;
  private final int signals;
  private final Consumer<ObjectSyscalls.WaitResult> done;

  private int observed; // guarded by object.lock
  private boolean finished; // guarded by object.lock
  private Timers.Scheduled timer = () -> {}; // guarded by object.lock

  WaitOne(Process owner, Handle handle, int signals, Consumer<ObjectSyscalls.WaitResult> done) {
    super(handle);
    this.owner = owner;
    this.object = handle.object();
    this.signals = signals;
    this.done = done;
  }

  /** Registers the wait and arms its deadline (a past deadline polls once). Returns how to abandon it. */
  Runnable start(Kernel kernel, long deadline) {
    Wakeups wakeups = new Wakeups();
    object.addObserver(this, wakeups);
    wakeups.run();
    if (deadline <= kernel.clock().now()) {
      onDeadline();
    } else {
      Timers.Scheduled t = kernel.timers().at(deadline, this::onDeadline);
      synchronized (object.lock) {
        if (finished) {
          t.cancel();
        } else {
          timer = t;
        }
      }
    }
    return this::abandon;
  }

  @Override
  protected boolean onStateChangeLocked(int state, Wakeups wakeups) {
    if (finished) {
      return true;
    }
    observed |= state;
    if ((state & signals) != 0) {
      finishLocked(Status.OK, wakeups);
      return true;
    }
    return false;
  }

  @Override
  protected void onCancelLocked(int state, Wakeups wakeups) {
    if (!finished) {
      observed |= state | Signals.HANDLE_CLOSED;
      finishLocked(Status.ERR_CANCELED, wakeups);
    }
  }

  private void onDeadline() {
    Wakeups wakeups = new Wakeups();
    synchronized (object.lock) {
      if (finished) {
        return;
      }
      object.removeObserverLocked(this);
      observed |= object.signalsLocked();
      finishLocked(Status.ERR_TIMED_OUT, wakeups);
    }
    wakeups.run();
  }

  private void abandon() {
    Timers.Scheduled t;
    synchronized (object.lock) {
      if (finished) {
        return;
      }
      finished = true;
      object.removeObserverLocked(this);
      t = timer;
    }
    owner.releaseWait();
    t.cancel();
  }

  private void finishLocked(int status, Wakeups wakeups) {
    finished = true;
    owner.releaseWait();
    int seen = observed;
    Timers.Scheduled t = timer;
    wakeups.add(() -> {
      t.cancel();
      done.accept(new ObjectSyscalls.WaitResult(status, seen));
    });
  }
}
