package dev.zxd.kernel;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The daemon's budget for data held inside objects. Reserved before anything is allocated, so running out is a
 * ZX_ERR_NO_MEMORY that changes nothing, never an OutOfMemoryError.
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
