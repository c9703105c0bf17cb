package dev.zxd.rpc;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Syscall counts and latency by syscall and status: one Micrometer timer per (syscall, status), exposed as
 * {@code zxd_syscall_seconds_count / _sum / _max{syscall="Channel/Write",status="ZX_OK"}}. Timers are made once
 * and cached, so recording costs two map lookups.
 */
public final class SyscallMetrics {
  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, ConcurrentHashMap<Integer, Timer>> timers = new ConcurrentHashMap<>();

  public SyscallMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void record(String syscall, int status, long nanos) {
    timers.computeIfAbsent(syscall, k -> new ConcurrentHashMap<>())
        .computeIfAbsent(status, s -> Timer.builder("zxd.syscall")
            .description("Syscalls served, by syscall and Zircon status, and their latency in the daemon")
            .tag("syscall", syscall)
            .tag("status", statusName(s))
            .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  private static String statusName(int status) {
    dev.zxd.proto.v1.Status s = dev.zxd.proto.v1.Status.forNumber(status);
    return s == null ? "ZX_STATUS_" + status : s.name();
  }
}
