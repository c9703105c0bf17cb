package dev.zxd.cli.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** One measured run: how many operations in how long, their latencies (nanoseconds) and extra figures. */
final class Measurement {
  final String name;
  final String description;
  final long ops;
  final long elapsedNanos;
  final long bytes;
  final Histogram latency;
  final Map<String, Object> extra = new LinkedHashMap<>();
  /** Percent of the machine's CPU time stolen by the hypervisor while measuring; NaN if unknown. */
  double stealPercent = Double.NaN;
  /** CPU time the bench's process used while measuring, nanoseconds; -1 if unknown. */
  long clientCpuNanos = -1;
  /** CPU time the daemon's process used while measuring, nanoseconds; -1 if unknown. */
  long daemonCpuNanos = -1;

  Measurement(String name, String description, long ops, long elapsedNanos, long bytes, Histogram latency) {
    this.name = name;
    this.description = description;
    this.ops = ops;
    this.elapsedNanos = elapsedNanos;
    this.bytes = bytes;
    this.latency = latency;
  }

  /** The same figures under another name (a round's number appended). */
  Measurement renamed(String newName) {
    Measurement m = new Measurement(newName, description, ops, elapsedNanos, bytes, latency);
    m.extra.putAll(extra);
    m.stealPercent = stealPercent;
    m.clientCpuNanos = clientCpuNanos;
    m.daemonCpuNanos = daemonCpuNanos;
    return m;
  }

  /** Records the CPU each process used between two readings (taken when measuring started and ended). */
  void cpuBetween(CpuClock.Reading start, CpuClock.Reading end) {
    clientCpuNanos = CpuClock.between(start.client(), end.client());
    daemonCpuNanos = CpuClock.between(start.daemon(), end.daemon());
  }

  /** The bench process's CPU time per operation in microseconds; NaN if unknown. */
  double clientCpuUsPerOp() {
    return perOpUs(clientCpuNanos);
  }

  /** The daemon's CPU time per operation in microseconds; NaN if unknown. */
  double daemonCpuUsPerOp() {
    return perOpUs(daemonCpuNanos);
  }

  /** Both processes' CPU time per operation in microseconds; NaN unless both are known. */
  double cpuUsPerOp() {
    return clientCpuNanos < 0 || daemonCpuNanos < 0 ? Double.NaN : perOpUs(clientCpuNanos + daemonCpuNanos);
  }

  private double perOpUs(long cpuNanos) {
    return cpuNanos < 0 || ops == 0 ? Double.NaN : cpuNanos / 1000.0 / ops;
  }

  double seconds() {
    return elapsedNanos / 1e9;
  }

  double opsPerSecond() {
    return elapsedNanos <= 0 ? 0 : ops / seconds();
  }

  /** Megabytes (10^6 bytes) per second, or 0 when the pattern moves no payload worth counting. */
  double mbPerSecond() {
    return elapsedNanos <= 0 ? 0 : bytes / 1e6 / seconds();
  }

  /** A latency percentile in microseconds. */
  double us(double percentile) {
    return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(percentile) / 1000.0;
  }

  double maxUs() {
    return latency.getTotalCount() == 0 ? 0 : latency.getMaxValue() / 1000.0;
  }

  double meanUs() {
    return latency.getTotalCount() == 0 ? 0 : latency.getMean() / 1000.0;
  }
}
