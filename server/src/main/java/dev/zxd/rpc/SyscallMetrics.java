package dev.zxd.rpc;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Syscall counts and latency by syscall and status: one Micrometer timer per (syscall, status), exposed as
 * {@code zxd_syscall_seconds_count / _sum / _max{syscall="Channel/Write",status="ZX_OK"}}. Timers are made once
 * and cached; recording costs one map lookup by syscall name and an array read by status.
 */
public final class SyscallMetrics {
  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, ForSyscall> bySyscall = new ConcurrentHashMap<>();

  public SyscallMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The timers of one syscall. */
  ForSyscall forSyscall(String syscall) {
    return bySyscall.computeIfAbsent(syscall, ForSyscall::new);
  }

  /** One syscall's timers, by status: Zircon's statuses (0 down to -127) in an array, anything else in a map. */
  final class ForSyscall {
    private static final int ARRAY_STATUSES = 128;
    private final String syscall;
    private final AtomicReferenceArray<Timer> byNegatedStatus = new AtomicReferenceArray<>(ARRAY_STATUSES);
    private final ConcurrentHashMap<Integer, Timer> others = new ConcurrentHashMap<>();

    private ForSyscall(String syscall) {
      this.syscall = syscall;
    }

    void record(int status, long nanos) {
      timer(status).record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer timer(int status) {
      if (status > 0 || status <= -ARRAY_STATUSES) {
        return others.computeIfAbsent(status, this::register);
      }
      Timer t = byNegatedStatus.get(-status);
      if (t == null) {
        // Registering twice is harmless: the registry hands back the same timer for the same name and tags.
        t = register(status);
        byNegatedStatus.set(-status, t);
      }
      return t;
    }

    private Timer register(int status) {
      return Timer.builder("zxd.syscall")
          .description("Syscalls served, by syscall and Zircon status, and their latency in the daemon")
          .tag("syscall", syscall)
          .tag("status", statusName(status))
          .register(registry);
    }
  }

  private static String statusName(int status) {
    dev.zxd.proto.v1.Status s = dev.zxd.proto.v1.Status.forNumber(status);
    return s == null ? "ZX_STATUS_" + status : s.name();
  }
}
