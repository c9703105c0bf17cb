package dev.zxd.kernel;

/**
 * Keeps a process alive while its client is there. Calls renew it; an open KeepAlive stream holds it; when the
 * last stream breaks the process has the grace period to come back, then it is killed. One pending check on
 * the timer at a time, rescheduled lazily, so renewing on every call costs two field writes.
 */
public final class Lease {
  private final Process process;
  private final MonotonicClock clock;
  private final Timers timers;
  private final long leaseNanos;
  private final long graceNanos;

  private long expiresAt; // guarded by this
  private int holders; // guarded by this
  private long checkAt = Long.MIN_VALUE; // guarded by this: when the scheduled check runs, MIN_VALUE if none
  private boolean ended; // guarded by this
  private Timers.Scheduled pendingCheck = () -> {}; // guarded by this

  Lease(Process process, MonotonicClock clock, Timers timers, KernelConfig config) {
    this.process = process;
    this.clock = clock;
    this.timers = timers;
    this.leaseNanos = config.lease().toNanos();
    this.graceNanos = config.gracePeriod().toNanos();
  }

  synchronized void start() {
    expiresAt = clock.now() + leaseNanos;
    scheduleCheckLocked(expiresAt);
  }

  /** A call from the process: it is alive for at least another lease period. */
  public void renew() {
    long t = clock.now() + leaseNanos;
    synchronized (this) {
      if (t > expiresAt) {
        expiresAt = t;
      }
    }
  }

  /** A KeepAlive stream opened: the process lives as long as it (or another) stays open. */
  public synchronized void hold() {
    holders++;
  }

  /** A KeepAlive stream ended: the grace period starts if it was the last one. */
  public synchronized void release() {
    if (holders == 0) {
      return; // an unmatched release must not leave the count negative (a later hold would then not hold)
    }
    if (--holders == 0 && !ended) {
      expiresAt = clock.now() + graceNanos;
      scheduleCheckLocked(expiresAt);
    }
  }

  public synchronized int holders() {
    return holders;
  }

  /** Monotonic time at which the process dies if nothing renews it; MAX_VALUE while a stream holds it. */
  public synchronized long expiresAt() {
    return holders > 0 ? MonotonicClock.INFINITE : expiresAt;
  }

  synchronized void end() {
    ended = true;
    pendingCheck.cancel();
  }

  private void scheduleCheckLocked(long when) {
    // A check already due no later than `when` will reschedule itself as needed.
    if (checkAt != Long.MIN_VALUE && checkAt <= when) {
      return;
    }
    checkAt = when;
    // A later check is superseded by this earlier one (which reschedules as needed): keep one pending.
    pendingCheck.cancel();
    pendingCheck = timers.at(when, this::check);
  }

  private void check() {
    boolean expired;
    synchronized (this) {
      checkAt = Long.MIN_VALUE;
      if (ended || holders > 0) {
        return;
      }
      expired = clock.now() >= expiresAt;
      if (!expired) {
        scheduleCheckLocked(expiresAt);
      }
    }
    if (expired) {
      process.kill(Process.RETCODE_LEASE_EXPIRED);
    }
  }
}
