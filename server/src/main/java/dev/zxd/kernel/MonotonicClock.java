package dev.zxd.kernel;

/** The daemon's monotonic clock: nanoseconds since the kernel started. Every deadline is on this clock. */
public final class MonotonicClock {
  /** ZX_TIME_INFINITE. */
  public static final long INFINITE = Long.MAX_VALUE;

  private final long origin = System.nanoTime();

  public long now() {
    return System.nanoTime() - origin;
  }
}
