package dev.zxd.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;

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

  /** {@code run} with the CPU each process used while measuring (nanoseconds; -1 unknown). */
  private static Measurement run(String name, long ops, long clientCpu, long daemonCpu, double steal) {
    Measurement m = run(name, ops, 100, steal);
    m.clientCpuNanos = clientCpu;
    m.daemonCpuNanos = daemonCpu;
    return m;
  }

  private static String table(Report r) {
    StringWriter out = new StringWriter();
    r.printTable(new PrintWriter(out));
    return out.toString();
  }

  @Test
  void cpuPerOperationAddsBothProcessesAndComparesWithTheBaseline() {
    // zxd: 1000 ops on 30 ms of the bench's CPU and 20 ms of the daemon's = 50 µs an op.
    // echo: 2000 ops on 30 ms and 10 ms = 20 µs an op.
    Measurement zxd = run("zxd", 1000, 30_000_000, 20_000_000, 0);
    Measurement echo = run("echo", 2000, 30_000_000, 10_000_000, 0);
    Report r = new Report("p", Map.of(), "t", Map.of(), List.of(zxd), List.of(echo));

    assertEquals(30.0, zxd.clientCpuUsPerOp(), 1e-9);
    assertEquals(20.0, zxd.daemonCpuUsPerOp(), 1e-9);
    assertEquals(2.5, r.ratios.get(0).cpuPerOp(), 1e-9);
    String table = table(r);
    assertTrue(table.contains("client cpu µs/op  daemon cpu µs/op"), table);
    assertTrue(table.lines().anyMatch(l -> l.startsWith("zxd / echo") && l.endsWith("x2.500")), table);
    JsonObject json = JsonParser.parseString(r.json()).getAsJsonObject();
    assertEquals(2.5, json.getAsJsonArray("ratios").get(0).getAsJsonObject().get("cpu_per_op_ratio").getAsDouble(),
        1e-9);
    JsonObject measured = json.getAsJsonArray("results").get(0).getAsJsonObject();
    assertEquals(30.0, measured.get("client_cpu_us_per_op").getAsDouble(), 1e-9);
    assertEquals(20.0, measured.get("daemon_cpu_us_per_op").getAsDouble(), 1e-9);
  }

  @Test
  void anUnknownDaemonCpuLeavesTheRatioOutRatherThanGuessingIt() {
    Measurement zxd = run("zxd", 1000, 30_000_000, -1, 0);
    Measurement echo = run("echo", 2000, 30_000_000, 10_000_000, 0);
    Report r = new Report("p", Map.of(), "t", Map.of(), List.of(zxd), List.of(echo));

    assertTrue(Double.isNaN(r.ratios.get(0).cpuPerOp()));
    assertTrue(table(r).lines().anyMatch(l -> l.startsWith("zxd / echo") && l.endsWith("-")), table(r));
    JsonObject json = JsonParser.parseString(r.json()).getAsJsonObject();
    assertFalse(json.getAsJsonArray("ratios").get(0).getAsJsonObject().has("cpu_per_op_ratio"));
    JsonObject measured = json.getAsJsonArray("results").get(0).getAsJsonObject();
    assertEquals(30.0, measured.get("client_cpu_us_per_op").getAsDouble(), 1e-9, "the bench's own is still known");
    assertFalse(measured.has("daemon_cpu_us_per_op"));
  }

  @Test
  void theMedianCpuRatioSkipsNoisyRoundsAndRoundsWithoutCpuFigures() {
    // CPU ratios by round: x1.0 (steal 30 %: set aside), x3.0, unknown, x2.0 -> median of x3.0 and x2.0.
    List<Measurement> zxd = List.of(run("zxd#1", 1000, 10_000_000, 10_000_000, 30),
        run("zxd#2", 1000, 30_000_000, 30_000_000, 0), run("zxd#3", 1000, 10_000_000, -1, 0),
        run("zxd#4", 1000, 20_000_000, 20_000_000, 0));
    List<Measurement> echo = new ArrayList<>();
    for (int round = 1; round <= 4; round++) {
      echo.add(run("echo#" + round, 1000, 10_000_000, 10_000_000, 0));
    }
    Report r = new Report("p", Map.of(), "t", Map.of(), zxd, echo, 4);

    Report.MedianRatio m = r.medians.get(0);
    assertEquals(3, m.rounds());
    assertEquals(2.5, m.cpuPerOp(), 1e-9);
  }
}
