package dev.zxd.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zxd.kernel.Kernel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SyscallMetricsTest {
  private final Kernel kernel = new Kernel();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @AfterEach
  void close() {
    kernel.close();
  }

  private double max() {
    return registry.get("zxd.syscall.seconds.max").tag("syscall", "Object/Signal").tag("status", "ZX_OK").gauge()
        .value();
  }

  @Test
  void theMaximumCoversTheCurrentWindowAndTheOneBefore() {
    SyscallMetrics metrics = new SyscallMetrics(registry, kernel.timers(), kernel.clock());
    SyscallMetrics.ForSyscall signal = metrics.forSyscall("Object/Signal");
    signal.record(0, 5_000_000);
    signal.record(0, 2_000_000);
    assertEquals(0.005, max(), 1e-12);

    metrics.rotateAll();
    assertEquals(0.005, max(), 1e-12, "the window before still counts");
    signal.record(0, 1_000_000);
    metrics.rotateAll();
    assertEquals(0.001, max(), 1e-12, "two windows on, the 5 ms syscall has gone");
    metrics.rotateAll();
    assertEquals(0, max(), 1e-12);
    assertEquals(3, registry.get("zxd.syscall").tag("syscall", "Object/Signal").functionTimer().count(), 1e-12);
  }

  @Test
  void theWindowMovesOnTheKernelsTimerNotInTheSyscallPath() {
    int before = kernel.timers().pending();
    new SyscallMetrics(registry, kernel.timers(), kernel.clock());
    assertEquals(before + 1, kernel.timers().pending(), "one rotation scheduled, a minute ahead");
  }
}
