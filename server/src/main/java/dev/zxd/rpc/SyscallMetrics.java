package dev.zxd.rpc;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import dev.zxd.kernel.MonotonicClock;
import dev.zxd.kernel.Timers;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Syscall counts and latency by syscall and status, exposed as
 * {@code zxd_syscall_seconds_count / _sum / _max{syscall="Channel/Write",status="ZX_OK"}} (the max over the last
 * one to two minutes, as a Micrometer timer's). Our own tallies, not Micrometer timers: the syscall stream adds a
 * whole batch's worth at once (one update per syscall and status per transport message), where a timer can only
 * take one event at a time, and per-event updates from two transport threads to shared counters were a tenth of
 * the daemon's time in a pipelined batch.
 *
 * <p>The maxima's window moves once a minute on the kernel's timer thread, not in the syscall path. A check of the
 * clock there would be a branch taken once a minute: the JIT compiles such a branch as a trap when it has not
 * been taken yet, and the first rotation, a minute into the daemon's life, then threw away the compiled code of
 * the whole syscall stream, which was recompiled under load.
 */
public final class SyscallMetrics {
  private static final long MAX_WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final MeterRegistry registry;
  private final Timers timers;
  private final MonotonicClock clock;
  private final ConcurrentHashMap<String, ForSyscall> bySyscall = new ConcurrentHashMap<>();

  /** Registers the meters in {@code registry} and moves the maxima's window on {@code timers} once a minute. */
  public SyscallMetrics(MeterRegistry registry, Timers timers, MonotonicClock clock) {
    this.registry = registry;
    this.timers = timers;
    this.clock = clock;
    scheduleRotation();
  }

  private void scheduleRotation() {
    try {
      timers.at(clock.now() + MAX_WINDOW_NANOS, () -> {
        rotateAll();
        scheduleRotation();
      });
    } catch (RejectedExecutionException e) {
      // The kernel is closing: no more windows.
    }
  }

  /** Every tally's current maximum becomes its previous one (once a minute; tests call it directly). */
  void rotateAll() {
    for (ForSyscall s : bySyscall.values()) {
      s.rotateAll();
    }
  }

  /** The tallies of one syscall. */
  ForSyscall forSyscall(String syscall) {
    return bySyscall.computeIfAbsent(syscall, ForSyscall::new);
  }

  /** One syscall's tallies, by status: Zircon's statuses (0 down to -127) in an array, anything else in a map. */
  final class ForSyscall {
    private static final int ARRAY_STATUSES = 128;
    final String syscall;
    private final AtomicReferenceArray<Tally> byNegatedStatus = new AtomicReferenceArray<>(ARRAY_STATUSES);
    private final ConcurrentHashMap<Integer, Tally> others = new ConcurrentHashMap<>();

    private ForSyscall(String syscall) {
      this.syscall = syscall;
    }

    /** One syscall that took {@code nanos}. */
    void record(int status, long nanos) {
      tally(status).add(1, nanos, nanos);
    }

    private void rotateAll() {
      for (int i = 0; i < ARRAY_STATUSES; i++) {
        Tally t = byNegatedStatus.get(i);
        if (t != null) {
          t.rotate();
        }
      }
      others.values().forEach(Tally::rotate);
    }

    Tally tally(int status) {
      if (status > 0 || status <= -ARRAY_STATUSES) {
        return others.computeIfAbsent(status, this::register);
      }
      Tally t = byNegatedStatus.get(-status);
      if (t == null) {
        synchronized (this) {
          t = byNegatedStatus.get(-status);
          if (t == null) {
            t = register(status);
            byNegatedStatus.set(-status, t);
          }
        }
      }
      return t;
    }

    private Tally register(int status) {
      Tally t = new Tally();
      String statusName = statusName(status);
      FunctionTimer.builder("zxd.syscall", t, Tally::count, Tally::totalNanos, TimeUnit.NANOSECONDS)
          .description("Syscalls served, by syscall and Zircon status, and their latency in the daemon")
          .tag("syscall", syscall).tag("status", statusName)
          .register(registry);
      Gauge.builder("zxd.syscall.seconds.max", t, Tally::maxSeconds)
          .description("The longest of these syscalls in the last one to two minutes, in seconds")
          .tag("syscall", syscall).tag("status", statusName)
          .register(registry);
      return t;
    }
  }

  /** Count, total time and recent maximum of one (syscall, status). */
  static final class Tally {
    private final LongAdder count = new LongAdder();
    private final LongAdder nanos = new LongAdder();
    private final AtomicLong currentMax = new AtomicLong();
    private final AtomicLong previousMax = new AtomicLong();

    /** {@code n} syscalls that took {@code totalNanos} together, the longest {@code maxNanos}. */
    void add(long n, long totalNanos, long maxNanos) {
      count.add(n);
      nanos.add(totalNanos);
      long m;
      while (maxNanos > (m = currentMax.get()) && !currentMax.compareAndSet(m, maxNanos)) {
        // lost to a concurrent larger or equal value: look again
      }
    }

    long count() {
      return count.sum();
    }

    double totalNanos() {
      return nanos.sum();
    }

    double maxSeconds() {
      return Math.max(currentMax.get(), previousMax.get()) / 1e9;
    }

    /** The current window's maximum becomes the previous one's, and a new window starts. */
    void rotate() {
      previousMax.set(currentMax.getAndSet(0));
    }
  }

  private static String statusName(int status) {
    dev.zxd.proto.v1.Status s = dev.zxd.proto.v1.Status.forNumber(status);
    return s == null ? "ZX_STATUS_" + status : s.name();
  }
}
