package dev.zxd.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The share of CPU time the hypervisor gave to other guests while a run was measured (Linux's "steal" in
 * /proc/stat). On a shared VM a run with a few percent of steal is slower for reasons that are not ours, so
 * each run reports it next to its figures. NaN where /proc/stat cannot be read.
 */
final class CpuSteal {
  private static final Path STAT = Path.of("/proc/stat");

  private final long steal;
  private final long total;

  private CpuSteal(long steal, long total) {
    this.steal = steal;
    this.total = total;
  }

  /** The machine's CPU counters now, or null if unreadable. */
  static CpuSteal now() {
    try {
      return parse(Files.readAllLines(STAT).get(0));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Parses the aggregate line: "cpu user nice system idle iowait irq softirq steal ..." in clock ticks. Guest
   * time is already counted in user and nice, so it is not added again.
   */
  static CpuSteal parse(String cpuLine) {
    String[] f = cpuLine.trim().split("\\s+");
    if (!f[0].equals("cpu") || f.length < 9) {
      return null;
    }
    long total = 0;
    for (int i = 1; i <= 8; i++) {
      total += Long.parseLong(f[i]);
    }
    return new CpuSteal(Long.parseLong(f[8]), total);
  }

  /** Percent of the CPU time between {@code start} and {@code end} that was stolen; NaN if either is missing. */
  static double percent(CpuSteal start, CpuSteal end) {
    if (start == null || end == null || end.total <= start.total) {
      return Double.NaN;
    }
    return 100.0 * (end.steal - start.steal) / (end.total - start.total);
  }
}
