package dev.zxd.kernel;

/** zx_timer_create / set / cancel. */
public final class TimerSyscalls {
  /** ZX_CLOCK_MONOTONIC, the only clock timers run on here. */
  public static final int CLOCK_MONOTONIC = 0;

  private final Kernel kernel;

  TimerSyscalls(Kernel kernel) {
    this.kernel = kernel;
  }

  /** options: ZX_TIMER_SLACK_CENTER (0), EARLY (1) or LATE (2); clock_id: ZX_CLOCK_MONOTONIC. */
  public HandleResult create(Process p, int options, int clockId) {
    if (clockId != CLOCK_MONOTONIC || options < 0 || options > Timer.SLACK_LATE) {
      return HandleResult.failed(Status.ERR_INVALID_ARGS);
    }
    return Installer.installOne(p, () -> new Timer(kernel, options), Rights.DEFAULT_TIMER, "zx_timer_create");
  }

  /** zx_timer_set: negative slack is OUT_OF_RANGE (before the handle is looked at); a past deadline fires now. */
  public int set(Process p, int handle, long deadline, long slack) {
    if (slack < 0) {
      return Status.ERR_OUT_OF_RANGE;
    }
    Handle h = p.handles().get(handle);
    int status = Lookup.check(h, ObjectType.TIMER, Rights.WRITE);
    if (status != Status.OK) {
      return status;
    }
    Wakeups wakeups = new Wakeups();
    ((Timer) h.object()).set(deadline, wakeups);
    wakeups.run();
    return Status.OK;
  }

  /** zx_timer_cancel: always OK on a timer handle with WRITE; clears ZX_TIMER_SIGNALED. */
  public int cancel(Process p, int handle) {
    Handle h = p.handles().get(handle);
    int status = Lookup.check(h, ObjectType.TIMER, Rights.WRITE);
    if (status != Status.OK) {
      return status;
    }
    Wakeups wakeups = new Wakeups();
    ((Timer) h.object()).cancel(wakeups);
    wakeups.run();
    return Status.OK;
  }
}
