package dev.zxd.kernel;

import java.util.function.Consumer;

/**
 * One pending zx_port_wait: the next packet, the deadline (TIMED_OUT), or the port's end (CANCELED). Holds one
 * of its process's pending-wait slots until it ends.
 */
public final class PortWait {
  /** A packet, or a status without one. */
  public record Result(int status, PortPacket packet) {}

  private final Process owner;
  private final Port port;
  private final Consumer<Result> done;
  private boolean finished; // guarded by port lock
  private Timers.Scheduled timer = () -> {}; // guarded by port lock

  PortWait(Process owner, Port port, Consumer<Result> done) {
    this.owner = owner;
    this.port = port;
    this.done = done;
  }

  void arm(Timers timers, long deadline) {
    Timers.Scheduled t = timers.at(deadline, this::onDeadline);
    synchronized (port.lock()) {
      if (finished) {
        t.cancel();
      } else {
        timer = t;
      }
    }
  }

  void deliverLocked(PortPacket packet, Wakeups wakeups) {
    finish(new Result(Status.OK, packet), wakeups);
  }

  void failLocked(int status, Wakeups wakeups) {
    finish(new Result(status, null), wakeups);
  }

  private void finish(Result result, Wakeups wakeups) {
    finished = true;
    owner.releaseWait();
    Timers.Scheduled t = timer;
    wakeups.add(() -> {
      t.cancel();
      done.accept(result);
    });
  }

  private void onDeadline() {
    Wakeups wakeups = new Wakeups();
    synchronized (port.lock()) {
      if (finished) {
        return;
      }
      port.removeWaiterLocked(this);
      failLocked(Status.ERR_TIMED_OUT, wakeups);
    }
    wakeups.run();
  }

  void abandon() {
    Timers.Scheduled t;
    synchronized (port.lock()) {
      if (finished) {
        return;
      }
      finished = true;
      port.removeWaiterLocked(this);
      t = timer;
    }
    owner.releaseWait();
    t.cancel();
  }
}
