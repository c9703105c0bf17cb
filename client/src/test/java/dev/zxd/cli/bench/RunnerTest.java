package dev.zxd.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RunnerTest {
  private final ExecutorService completions = Executors.newSingleThreadExecutor();
  private final AtomicLong started = new AtomicLong();

  @AfterEach
  void stop() {
    completions.shutdownNow();
  }

  /** A lane whose operations complete on another thread, at once. */
  private Runner.Lane lane() {
    return () -> {
      started.incrementAndGet();
      return CompletableFuture.runAsync(() -> {}, completions);
    };
  }

  private static Runner runner(CpuClock cpu) {
    return new Runner("test", new PrintWriter(PrintWriter.nullWriter()), false, cpu);
  }

  @Test
  void theWarmupsOperationsRunButOnlyTheCountedOnesAreRecorded() {
    Runner.Limits limits = new Runner.Limits(TimeUnit.MILLISECONDS.toNanos(50), 0, 20, TimeUnit.SECONDS.toNanos(30));
    Measurement m = runner(CpuClock.NONE).run("run", "ops", List.of(lane(), lane()), limits, 0);

    assertEquals(20, m.ops);
    assertEquals(20, m.latency.getTotalCount());
    assertTrue(started.get() > 20, "the warmup ran operations too: " + started.get());
  }

  @Test
  void cpuIsWhatEachProcessUsedBetweenTheReadingsAroundTheRun() {
    AtomicLong client = new AtomicLong();
    AtomicLong daemon = new AtomicLong();
    // Each reading finds 4 ms more of the bench's CPU and 2 ms more of the daemon's than the one before.
    CpuClock cpu = new CpuClock(() -> client.addAndGet(4_000_000), () -> daemon.addAndGet(2_000_000));
    Runner.Limits limits = new Runner.Limits(0, 0, 10, TimeUnit.SECONDS.toNanos(30));
    Measurement m = runner(cpu).run("run", "ops", List.of(lane()), limits, 0);

    assertEquals(10, m.ops);
    // Read as the run started and as it ended: one step apart (a run this short has no tick in between).
    assertEquals(4_000_000, m.clientCpuNanos);
    assertEquals(2_000_000, m.daemonCpuNanos);
    assertEquals(600.0, m.cpuUsPerOp(), 1e-9);
  }

  @Test
  void aDaemonThatWillNotSayLeavesItsCpuUnknown() {
    CpuClock cpu = new CpuClock(() -> 1_000_000, () -> -1);
    Runner.Limits limits = new Runner.Limits(0, 0, 5, TimeUnit.SECONDS.toNanos(30));
    Measurement m = runner(cpu).run("run", "ops", List.of(lane()), limits, 0);

    assertEquals(0, m.clientCpuNanos);
    assertEquals(-1, m.daemonCpuNanos);
    assertTrue(Double.isNaN(m.daemonCpuUsPerOp()));
    assertTrue(Double.isNaN(m.cpuUsPerOp()));
  }
}
