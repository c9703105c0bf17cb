package dev.zxd.kernel;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The daemon's budget for data held inside objects: VMO pages, queued channel messages, socket buffers and FIFO
 * buffers. Reserved before anything is allocated, so running out is a ZX_ERR_NO_MEMORY that changes nothing,
 * never an OutOfMemoryError. Each holder releases exactly what it reserved when the data leaves (read, freed,
 * or destroyed with its object), so with every object gone the budget is back at 0.
 */
public final class MemoryBudget {
  private final long limit;
  private final AtomicLong used = new AtomicLong();

  MemoryBudget(long limit) {
    this.limit = limit;
  }

  /** Reserves {@code bytes}; false (and nothing reserved) if that would exceed the budget. */
  boolean reserve(long bytes) {
    while (true) {
      long u = used.get();
      if (u + bytes > limit) {
        return false;
      }
      if (used.compareAndSet(u, u + bytes)) {
        return true;
      }
    }
  }

  /**
   * Charges data that was in the budget a moment ago and is being put back (a message a reader could not
   * take), even past the limit: refusing would lose it.
   */
  void restore(long bytes) {
    used.addAndGet(bytes);
  }

  void release(long bytes) {
    used.addAndGet(-bytes);
  }

  public long used() {
    return used.get();
  }

  public long limit() {
    return limit;
  }
}
