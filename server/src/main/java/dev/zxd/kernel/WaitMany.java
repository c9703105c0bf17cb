package dev.zxd.kernel;

import java.util.function.Consumer;

/**
 * A pending zx_object_wait_many: one observer per item, one outcome for all. The first item to be satisfied
 * (or canceled, or the deadline) decides; the other items are then unhooked one object at a time, outside any
 * other object's lock, so no two object locks are ever held together. Holds one of its process's pending-wait
 * slots (however many items it has) until it ends.
 */
final class WaitMany {
  private final Process owner;
  private final Item[] items;
  private final Consumer<ObjectSyscalls.WaitManyResult> done;

  private boolean decided; // guarded by this
  private boolean registered; // guarded by this
  private boolean abandoned; // guarded by this
  private int status; // guarded by this
  private Timers.Scheduled timer = () -> {}; // guarded by this

  WaitMany(Process owner, Handle[] handles, int[] waitfor, Consumer<ObjectSyscalls.WaitManyResult> done) {
    this.owner = owner;
    this.items = new Item[handles.length];
    for (int i = 0; i < handles.length; i++) {
      items[i] = new Item(handles[i], waitfor[i]);
    }
    this.done = done;
  }

  Runnable start(Kernel kernel, long deadline) {
    Wakeups wakeups = new Wakeups();
    for (Item item : items) {
      item.object.addObserver(item, wakeups);
    }
    wakeups.run();
    boolean finishNow;
    synchronized (this) {
      registered = true;
      finishNow = decided;
    }
    if (finishNow) {
      finish();
      return () -> {};
    }
    if (deadline <= kernel.clock().now()) {
      onDeadline();
    } else {
      Timers.Scheduled t = kernel.timers().at(deadline, this::onDeadline);
      synchronized (this) {
        if (decided) {
          t.cancel();
        } else {
          timer = t;
        }
      }
    }
    return this::abandon;
  }

  /** Called with the deciding item's object lock held (or none); the rest happens in {@link #finish}. */
  private void decide(int outcome, Wakeups wakeups) {
    synchronized (this) {
      if (decided) {
        return;
      }
      decided = true;
      status = outcome;
      if (!registered) {
        return; // start() finishes once every item is registered
      }
    }
    if (wakeups != null) {
      wakeups.add(this::finish);
    } else {
      finish();
    }
  }

  private void onDeadline() {
    decide(Status.ERR_TIMED_OUT, null);
  }

  private void abandon() {
    synchronized (this) {
      if (decided) {
        return;
      }
      decided = true;
      abandoned = true;
    }
    finish();
  }

  /** Runs exactly once per wait: after the decision, or on abandon. */
  private void finish() {
    owner.releaseWait();
    Timers.Scheduled t;
    int outcome;
    boolean report;
    synchronized (this) {
      t = timer;
      outcome = status;
      report = !abandoned;
    }
    t.cancel();
    int[] pending = new int[items.length];
    for (int i = 0; i < items.length; i++) {
      Item item = items[i];
      synchronized (item.object.lock) {
        item.object.removeObserverLocked(item);
        item.pending |= item.object.signalsLocked();
        pending[i] = item.pending;
      }
    }
    if (report) {
      done.accept(new ObjectSyscalls.WaitManyResult(outcome, pending));
    }
  }

  private final class Item extends SignalObserver {
    final KernelObject object;
    final int waitfor;
    int pending; // guarded by object.lock

    Item(Handle handle, int waitfor) {
      super(handle);
      this.object = handle.object();
      this.waitfor = waitfor;
    }

    @Override
    protected boolean onStateChangeLocked(int state, Wakeups wakeups) {
      pending |= state;
      if ((state & waitfor) != 0) {
        decide(Status.OK, wakeups);
        return true;
      }
      return false;
    }

    @Override
    protected void onCancelLocked(int state, Wakeups wakeups) {
      pending |= state | Signals.HANDLE_CLOSED;
      decide(Status.ERR_CANCELED, wakeups);
    }
  }
}
