package dev.zxd.kernel;

import java.time.Duration;

/**
 * The kernel's own limits and timings (Zircon's fixed limits are constants in the syscalls, not here). The
 * daemon's settings catalogue ({@code dev.zxd.daemon.Settings}) documents each and builds this.
 *
 * @param maxHandlesPerProcess handles one process may hold; over it: ZX_ERR_NO_RESOURCES
 * @param maxProcesses live processes in the daemon; over it Process/Create fails with ZX_ERR_NO_RESOURCES
 * @param lease how long a process with no KeepAlive stream lives after its last call
 * @param gracePeriod how long a process lives after its last KeepAlive stream broke
 * @param tokenExpiry how long an unredeemed protocol-info token stays valid
 * @param maxVmoBytes the largest VMO (after rounding to pages); larger: ZX_ERR_OUT_OF_RANGE
 * @param memoryBudgetBytes memory for data held by objects (VMO pages); over it: ZX_ERR_NO_MEMORY
 */
public record KernelConfig(
    int maxHandlesPerProcess,
    int maxProcesses,
    Duration lease,
    Duration gracePeriod,
    Duration tokenExpiry,
    long maxVmoBytes,
    long memoryBudgetBytes) {

  public static final KernelConfig DEFAULTS = new KernelConfig(
      262_144, 100_000, Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(60),
      1L << 30, 4L << 30);

  public KernelConfig {
    if (maxHandlesPerProcess < 1) throw new IllegalArgumentException("maxHandlesPerProcess must be >= 1");
    if (maxProcesses < 1) throw new IllegalArgumentException("maxProcesses must be >= 1");
    requirePositive("lease", lease);
    requirePositive("gracePeriod", gracePeriod);
    requirePositive("tokenExpiry", tokenExpiry);
    if (maxVmoBytes < 4096) throw new IllegalArgumentException("maxVmoBytes must be >= 4096");
    if (memoryBudgetBytes < 4096) throw new IllegalArgumentException("memoryBudgetBytes must be >= 4096");
  }

  private static void requirePositive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
  }

  public KernelConfig withGracePeriod(Duration d) {
    return new KernelConfig(maxHandlesPerProcess, maxProcesses, lease, d, tokenExpiry, maxVmoBytes,
        memoryBudgetBytes);
  }

  public KernelConfig withLease(Duration d) {
    return new KernelConfig(maxHandlesPerProcess, maxProcesses, d, gracePeriod, tokenExpiry, maxVmoBytes,
        memoryBudgetBytes);
  }

  public KernelConfig withTokenExpiry(Duration d) {
    return new KernelConfig(maxHandlesPerProcess, maxProcesses, lease, gracePeriod, d, maxVmoBytes,
        memoryBudgetBytes);
  }

  public KernelConfig withMaxHandlesPerProcess(int n) {
    return new KernelConfig(n, maxProcesses, lease, gracePeriod, tokenExpiry, maxVmoBytes, memoryBudgetBytes);
  }

  public KernelConfig withMaxProcesses(int n) {
    return new KernelConfig(maxHandlesPerProcess, n, lease, gracePeriod, tokenExpiry, maxVmoBytes,
        memoryBudgetBytes);
  }

  public KernelConfig withMaxVmoBytes(long n) {
    return new KernelConfig(maxHandlesPerProcess, maxProcesses, lease, gracePeriod, tokenExpiry, n,
        memoryBudgetBytes);
  }

  public KernelConfig withMemoryBudgetBytes(long n) {
    return new KernelConfig(maxHandlesPerProcess, maxProcesses, lease, gracePeriod, tokenExpiry, maxVmoBytes, n);
  }
}
