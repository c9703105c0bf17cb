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
 * @param memoryBudgetBytes memory for data held by objects (VMO pages, queued channel messages, socket buffers,
 *     FIFO buffers); over it: ZX_ERR_NO_MEMORY
 * @param maxChannelMessages messages waiting in one channel endpoint; a write beyond it: ZX_ERR_SHOULD_WAIT
 * @param maxChannelBytes payload bytes waiting in one channel endpoint; a write beyond it: ZX_ERR_SHOULD_WAIT
 * @param maxPendingWaitsPerProcess waits one process has pending at once (wait_one, wait_many, port_wait,
 *     wait_async, channel_call); beyond it: ZX_ERR_NO_RESOURCES
 */
public record KernelConfig(
    int maxHandlesPerProcess,
    int maxProcesses,
    Duration lease,
    Duration gracePeriod,
    Duration tokenExpiry,
    long maxVmoBytes,
    long memoryBudgetBytes,
    int maxChannelMessages,
    long maxChannelBytes,
    int maxPendingWaitsPerProcess) {

  public static final KernelConfig DEFAULTS = new KernelConfig(
      262_144, 100_000, Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(60),
      1L << 30, 4L << 30, 4_096, 16L << 20, 65_536);

  public KernelConfig {
    if (maxHandlesPerProcess < 1) throw new IllegalArgumentException("maxHandlesPerProcess must be >= 1");
    if (maxProcesses < 1) throw new IllegalArgumentException("maxProcesses must be >= 1");
    requirePositive("lease", lease);
    requirePositive("gracePeriod", gracePeriod);
    requirePositive("tokenExpiry", tokenExpiry);
    if (maxVmoBytes < 4096) throw new IllegalArgumentException("maxVmoBytes must be >= 4096");
    if (memoryBudgetBytes < 4096) throw new IllegalArgumentException("memoryBudgetBytes must be >= 4096");
    if (maxChannelMessages < 1) throw new IllegalArgumentException("maxChannelMessages must be >= 1");
    // Below one largest message, some legal writes could never succeed, even into an empty queue.
    if (maxChannelBytes < Limits.CHANNEL_MAX_MSG_BYTES) {
      throw new IllegalArgumentException("maxChannelBytes must be >= " + Limits.CHANNEL_MAX_MSG_BYTES);
    }
    if (maxPendingWaitsPerProcess < 1) {
      throw new IllegalArgumentException("maxPendingWaitsPerProcess must be >= 1");
    }
  }

  private static void requirePositive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
  }

  public KernelConfig withGracePeriod(Duration v) {
    return new KernelConfig(maxHandlesPerProcess, maxProcesses, lease, v, tokenExpiry, maxVmoBytes,
        memoryBudgetBytes, maxChannelMessages, maxChannelBytes, maxPendingWaitsPerProcess);
  }

  public KernelConfig withLease(Duration v) {
    return new KernelConfig(maxHandlesPerProcess, maxProcesses, v, gracePeriod, tokenExpiry, maxVmoBytes,
        memoryBudgetBytes, maxChannelMessages, maxChannelBytes, maxPendingWaitsPerProcess);
  }

  public KernelConfig withTokenExpiry(Duration v) {
    return new KernelConfig(maxHandlesPerProcess, maxProcesses, lease, gracePeriod, v, maxVmoBytes,
        memoryBudgetBytes, maxChannelMessages, maxChannelBytes, maxPendingWaitsPerProcess);
  }

  public KernelConfig withMaxHandlesPerProcess(int v) {
    return new KernelConfig(v, maxProcesses, lease, gracePeriod, tokenExpiry, maxVmoBytes, memoryBudgetBytes,
        maxChannelMessages, maxChannelBytes, maxPendingWaitsPerProcess);
  }

  public KernelConfig withMaxProcesses(int v) {
    return new KernelConfig(maxHandlesPerProcess, v, lease, gracePeriod, tokenExpiry, maxVmoBytes, memoryBudgetBytes,
        maxChannelMessages, maxChannelBytes, maxPendingWaitsPerProcess);
  }

  public KernelConfig withMaxVmoBytes(long v) {
    return new KernelConfig(maxHandlesPerProcess, maxProcesses, lease, gracePeriod, tokenExpiry, v,
        memoryBudgetBytes, maxChannelMessages, maxChannelBytes, maxPendingWaitsPerProcess);
  }

  public KernelConfig withMemoryBudgetBytes(long v) {
    return new KernelConfig(maxHandlesPerProcess, maxProcesses, lease, gracePeriod, tokenExpiry, maxVmoBytes, v,
        maxChannelMessages, maxChannelBytes, maxPendingWaitsPerProcess);
  }

  public KernelConfig withMaxChannelMessages(int v) {
    return new KernelConfig(maxHandlesPerProcess, maxProcesses, lease, gracePeriod, tokenExpiry, maxVmoBytes,
        memoryBudgetBytes, v, maxChannelBytes, maxPendingWaitsPerProcess);
  }

  public KernelConfig withMaxChannelBytes(long v) {
    return new KernelConfig(maxHandlesPerProcess, maxProcesses, lease, gracePeriod, tokenExpiry, maxVmoBytes,
        memoryBudgetBytes, maxChannelMessages, v, maxPendingWaitsPerProcess);
  }

  public KernelConfig withMaxPendingWaitsPerProcess(int v) {
    return new KernelConfig(maxHandlesPerProcess, maxProcesses, lease, gracePeriod, tokenExpiry, maxVmoBytes,
        memoryBudgetBytes, maxChannelMessages, maxChannelBytes, v);
  }
}
