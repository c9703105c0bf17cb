package dev.zxd.rpc;

/**
 * The metric updates of one syscall stream, held until it next sends replies, so the shared counters take one
 * update per syscall and status per transport message instead of one per syscall. Not thread-safe: the stream
 * guards it.
 */
final class PendingTallies {
  private static final int MAX_HELD = 16;
  private final SyscallMetrics.Tally[] tallies = new SyscallMetrics.Tally[MAX_HELD];
  private final long[] counts = new long[MAX_HELD];
  private final long[] totals = new long[MAX_HELD];
  private final long[] maxes = new long[MAX_HELD];
  private int held;

  void add(SyscallMetrics.Tally tally, long nanos) {
    int i = 0;
    while (i < held && tallies[i] != tally) {
      i++;
    }
    if (i == held) {
      if (held == MAX_HELD) {
        publish();
        i = 0;
      }
      tallies[i] = tally;
      counts[i] = 0;
      totals[i] = 0;
      maxes[i] = 0;
      held = i + 1;
    }
    counts[i]++;
    totals[i] += nanos;
    maxes[i] = Math.max(maxes[i], nanos);
  }

  void publish() {
    for (int i = 0; i < held; i++) {
      tallies[i].add(counts[i], totals[i], maxes[i]);
      tallies[i] = null;
    }
    held = 0;
  }
}
