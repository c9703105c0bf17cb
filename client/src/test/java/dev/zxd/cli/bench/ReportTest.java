package dev.zxd.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ReportTest {
  /** A one-second run of {@code ops} operations, each taking {@code latencyUs}, with the given steal time. */
  private static Measurement run(String name, long ops, long latencyUs, double steal) {
    Histogram h = new Histogram(3);
    h.recordValueWithCount(latencyUs * 1000, ops);
    Measurement m = new Measurement(name, name, ops, 1_000_000_000L, 0, h);
    m.stealPercent = steal;
    return m;
  }

  /** Three rounds of one zxd run against one baseline; zxd's ops per round give the throughput ratios. */
  private static Report.MedianRatio median(long[] zxdOps, double[] zxdSteal, double[] baseSteal) {
    List<Measurement> zxd = new ArrayList<>();
    List<Measurement> base = new ArrayList<>();
    for (int r = 0; r < zxdOps.length; r++) {
      zxd.add(run("zxd#" + (r + 1), zxdOps[r], 100, zxdSteal[r]));
      base.add(run("echo#" + (r + 1), 1000, 100, baseSteal[r]));
    }
    Report report = new Report("p", Map.of(), "t", Map.of(), zxd, base, zxdOps.length);
    assertEquals(1, report.medians.size());
    return report.medians.get(0);
  }

  @Test
  void roundsWithMuchStealAreSetAsideFromTheMedian() {
    // Ratios 1.0, 5.0, 2.0; the baseline of round two ran while the host took 30 % of the CPU.
    Report.MedianRatio m = median(new long[] {1000, 5000, 2000}, new double[] {0, 0, 1},
        new double[] {0.5, 30, 0});
    assertEquals(2, m.rounds());
    assertEquals(1, m.setAside());
    assertEquals(1.5, m.throughput(), 1e-9, "the median of the two clean rounds");
  }

  @Test
  void withNoStealKnownOrNoneHighEveryRoundCounts() {
    Report.MedianRatio m = median(new long[] {1000, 5000, 2000}, new double[] {Double.NaN, 5, 0},
        new double[] {Double.NaN, 0, 4.9});
    assertEquals(3, m.rounds());
    assertEquals(0, m.setAside());
    assertEquals(2.0, m.throughput(), 1e-9);
  }

  @Test
  void whenEveryRoundIsNoisyAllOfThemCountRatherThanNone() {
    Report.MedianRatio m = median(new long[] {1000, 5000, 2000}, new double[] {20, 30, 40},
        new double[] {0, 0, 0});
    assertEquals(3, m.rounds());
    assertEquals(0, m.setAside());
    assertEquals(2.0, m.throughput(), 1e-9);
  }
}
