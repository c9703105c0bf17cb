package dev.zxd.cli.bench;

import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * Reads the CPU time used so far by the bench's own process and by the daemon's, so that a run can say what each
 * operation cost in CPU. On a shared host that is a steadier figure than throughput: Linux does not charge a
 * process for the time the hypervisor gave to other guests (steal), so a busy neighbour slows a run down without
 * making its operations look costlier. And when the daemon and the bench share a few cores, the total CPU per
 * operation is what bounds the throughput.
 */
final class CpuClock {
  /** Both processes' CPU time at one moment, nanoseconds; -1 for a process whose CPU time cannot be read. */
  record Reading(long client, long daemon) {}

  /** Reads neither process: every figure unknown. */
  static final CpuClock NONE = new CpuClock(() -> -1, () -> -1);

  private final LongSupplier client;
  private final LongSupplier daemon;

  /** {@code daemon} returns the daemon's CPU time in nanoseconds, or -1 when it cannot be read. */
  CpuClock(LongSupplier client, LongSupplier daemon) {
    this.client = client;
    this.daemon = daemon;
  }

  /** The bench's own process (every thread, user and system time) and the daemon through {@code daemon}. */
  static CpuClock ofThisProcessAnd(LongSupplier daemon) {
    return new CpuClock(CpuClock::thisProcess, daemon);
  }

  Reading read() {
    return new Reading(client.getAsLong(), daemon.getAsLong());
  }

  /** This JVM's process CPU time in nanoseconds, or -1 when the JVM cannot tell. */
  static long thisProcess() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      long t = os.getProcessCpuTime();
      return t >= 0 ? t : -1;
    }
    return -1;
  }

  /** CPU nanoseconds used between two readings of one process; -1 if either reading is unknown. */
  static long between(long start, long end) {
    return start < 0 || end < 0 || end < start ? -1 : end - start;
  }
}
