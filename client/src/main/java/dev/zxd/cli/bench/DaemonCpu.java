package dev.zxd.cli.bench;

import dev.zxd.cli.DebugConnection;
import dev.zxd.cli.Zxctl;
import dev.zxd.proto.v1.DebugStatsRequest;
import java.util.function.LongSupplier;

/**
 * The daemon's CPU time (Debug Stats {@code cpu_time}), read on a connection of its own so that the readings do
 * not queue behind the load. -1 once the daemon will not say: a daemon that wants an admin token the bench was
 * not given, or one too old to report it. A bench run goes on without the figure then.
 */
final class DaemonCpu implements LongSupplier, AutoCloseable {
  private final Zxctl.Target target;
  private DebugConnection connection;
  private boolean unavailable;

  DaemonCpu(Zxctl.Target target) {
    this.target = target;
  }

  @Override
  public synchronized long getAsLong() {
    if (unavailable) {
      return -1;
    }
    try {
      if (connection == null) {
        connection = DebugConnection.open(target);
      }
      long nanos = connection.call().stats(DebugStatsRequest.getDefaultInstance()).getCpuTime();
      if (nanos > 0) {
        return nanos;
      }
    } catch (RuntimeException e) {
      // Refused or unreachable: the run reports no daemon CPU rather than failing.
    }
    unavailable = true;
    return -1;
  }

  @Override
  public synchronized void close() {
    if (connection != null) {
      connection.close();
      connection = null;
    }
  }
}
