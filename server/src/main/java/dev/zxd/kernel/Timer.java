package dev.zxd.kernel;

/**
 * A timer: asserts ZX_TIMER_SIGNALED at its deadline on the daemon's monotonic clock. Setting it again replaces
 * the deadline and clears the signal; canceling clears it too. Slack is recorded (zxd fires at the deadline
 * whatever the slack; the scheduler's own lateness is far above any slack a simulation would ask for).
 */
public final class Timer extends KernelObject {
  public static final int SLACK_CENTER = 0;
  public static final int SLACK_EARLY = 1;
  public static final int SLACK_LATE = 2;

  private final int slackMode;
  private Timers.Scheduled scheduled = () -> {}; // guarded by lock
  private long deadline; // guarded by lock; 0 when not armed
  private long generation; // guarded by lock: tells a stale firing from the current one

  Timer(Kernel kernel, int slackMode) {
    super(kernel, new Object(), 0);
    this.slackMode = slackMode;
  }

  @Override
  public int type() {
    return ObjectType.TIMER;
  }

  public int slackMode() {
    return slackMode;
  }

  /** The armed deadline, or 0. */
  public long deadline() {
    synchronized (lock) {
      return deadline;
    }
  }

  void set(long newDeadline, Wakeups wakeups) {
    Timers.Scheduled old;
    long gen;
    boolean arm; // decided once: reading the clock again later could find the deadline passed and arm nothing
    synchronized (lock) {
      old = scheduled;
      scheduled = () -> {};
      gen = ++generation;
      updateStateLocked(Signals.TIMER_SIGNALED, 0, wakeups);
      arm = newDeadline > kernel.clock().now();
      if (arm) {
        deadline = newDeadline;
      } else {
        deadline = 0;
        updateStateLocked(0, Signals.TIMER_SIGNALED, wakeups);
      }
    }
    old.cancel();
    if (arm) {
      Timers.Scheduled s = kernel.timers().at(newDeadline, () -> fire(gen));
      synchronized (lock) {
        if (generation == gen) {
          scheduled = s;
          return;
        }
      }
      s.cancel();
    }
  }

  void cancel(Wakeups wakeups) {
    Timers.Scheduled old;
    synchronized (lock) {
      old = scheduled;
      scheduled = () -> {};
      generation++;
      deadline = 0;
      updateStateLocked(Signals.TIMER_SIGNALED, 0, wakeups);
    }
    old.cancel();
  }

  private void fire(long gen) {
    Wakeups wakeups = new Wakeups();
    synchronized (lock) {
      if (generation != gen) {
        return;
      }
      deadline = 0;
      scheduled = () -> {};
      updateStateLocked(0, Signals.TIMER_SIGNALED, wakeups);
    }
    wakeups.run();
  }

  @Override
  protected void onZeroHandlesLocked(Wakeups wakeups) {
    generation++;
    Timers.Scheduled s = scheduled;
    scheduled = () -> {};
    wakeups.add(s::cancel);
  }
}
