package dev.zxd.kernel;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one scheduler behind every deadline in the kernel (wait deadlines, channel_call deadlines, leases,
 * token expiry). A single thread that only ever runs short, non-blocking completions; canceled entries are
 * removed at once so 100 000 canceled waits do not linger in the queue.
 */
public final class Timers implements AutoCloseable {
  /** A scheduled deadline that can be called off. */
  public interface Scheduled {
    void cancel();
  }

  private static final Scheduled NEVER = () -> {};

  private final MonotonicClock clock;
  private final ScheduledThreadPoolExecutor executor;

  Timers(MonotonicClock clock) {
    this.clock = clock;
    this.executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "zxd-timers");
      t.setDaemon(true);
      return t;
    });
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /** Runs {@code action} at monotonic time {@code deadline}; ZX_TIME_INFINITE never fires. */
  public Scheduled at(long deadline, Runnable action) {
    if (deadline == MonotonicClock.INFINITE) {
      return NEVER;
    }
    long now = clock.now();
    // A past deadline (down to ZX_TIME_INFINITE_PAST = INT64_MIN) fires at once; subtracting first would
    // overflow into a delay of centuries.
    long delay = deadline <= now ? 0 : deadline - now;
    ScheduledFuture<?> future = executor.schedule(() -> {
      try {
        action.run();
      } catch (RuntimeException | Error e) {
        Thread t = Thread.currentThread();
        t.getUncaughtExceptionHandler().uncaughtException(t, e);
      }
    }, delay, TimeUnit.NANOSECONDS);
    return () -> future.cancel(false);
  }

  /** Number of scheduled deadlines, for metrics. */
  public int pending() {
    return executor.getQueue().size();
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
