package dev.zxd.cli.bench;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * A closed loop: each lane runs one operation at a time, starting the next when the last completes, so
 * {@code lanes} operations are in flight. Latency is each operation's start-to-completion time. A warmup runs
 * first and is not recorded; the run ends after the duration, or after {@code count} recorded operations,
 * whichever comes first. Progress (operations so far and the current rate) goes to stderr once a second.
 */
final class Runner {
  /** One lane's next operation; null when the lane has nothing more to do. */
  interface Lane {
    CompletableFuture<?> next();
  }

  /** How long to run. durationNanos 0: no time bound (count must be set); count 0: no count bound. */
  record Limits(long warmupNanos, long durationNanos, long count, long hardTimeoutNanos) {}

  private final String label;
  private final PrintWriter err;
  private final boolean progress;
  private final CpuClock cpu;

  private final ConcurrentHistogram histogram = new ConcurrentHistogram(3);
  private final ConcurrentHistogram warmupHistogram = new ConcurrentHistogram(3);
  /**
   * Where an operation starting now records its latency: the warmup's histogram, then the run's. Operations
   * record into one or the other through the same code, with no branch on the phase: a branch never taken in
   * the warmup is compiled as a trap, and the JIT would recompile the completion path as measuring starts.
   */
  private volatile Histogram recording = warmupHistogram;
  private final AtomicLong started = new AtomicLong();
  private final AtomicLong completedAll = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile boolean measuring;
  private volatile boolean stop;
  private volatile long endAt = Long.MAX_VALUE;
  private long count;
  private CountDownLatch done;

  /** {@code cpu} is read when measuring starts and ends, for each run's CPU time per operation. */
  Runner(String label, PrintWriter err, boolean progress, CpuClock cpu) {
    this.label = label;
    this.err = err;
    this.progress = progress;
    this.cpu = cpu;
  }

  /** Runs the lanes; bytesPerOp counts the payload each operation moves (for MB/s). */
  Measurement run(String name, String description, List<Lane> lanes, Limits limits, long bytesPerOp) {
    this.count = limits.count();
    done = new CountDownLatch(lanes.size());
    long t0 = System.nanoTime();
    long warmEnd = t0 + limits.warmupNanos();
    measuring = limits.warmupNanos() <= 0;
    if (measuring) {
      recording = histogram;
    }
    long measureStart = measuring ? t0 : 0;
    CpuSteal stealAtStart = measuring ? CpuSteal.now() : null;
    CpuClock.Reading cpuAtStart = measuring ? cpu.read() : null;
    if (measuring && limits.durationNanos() > 0) {
      endAt = t0 + limits.durationNanos();
    }
    long hardEnd = t0 + limits.hardTimeoutNanos();
    for (Lane lane : lanes) {
      loop(lane);
    }
    long lastTick = t0;
    long lastOps = 0;
    try {
      while (true) {
        long now = System.nanoTime();
        if (!measuring && now >= warmEnd) {
          measureStart = System.nanoTime();
          if (limits.durationNanos() > 0) {
            endAt = measureStart + limits.durationNanos();
          }
          recording = histogram;
          measuring = true;
          stealAtStart = CpuSteal.now();
          cpuAtStart = cpu.read();
        }
        if (now >= hardEnd && !stop) {
          stop = true;
          failure.compareAndSet(null, new IllegalStateException(label + ": did not finish within "
              + TimeUnit.NANOSECONDS.toSeconds(limits.hardTimeoutNanos()) + " s"));
        }
        long next = Math.min(lastTick + 1_000_000_000L, measuring ? Math.min(endAt, hardEnd) : warmEnd);
        long wait = Math.max(1_000_000L, next - now);
        if (done.await(wait, TimeUnit.NANOSECONDS)) {
          break;
        }
        now = System.nanoTime();
        if (now >= endAt) {
          stop = true;
        }
        if (now - lastTick >= 1_000_000_000L) {
          if (progress) {
            long ops = completedAll.get();
            double rate = (ops - lastOps) / ((now - lastTick) / 1e9);
            err.printf("%s: %5.1fs  %,d ops  %,.0f ops/s%s%n", label, (now - t0) / 1e9, ops, rate,
                measuring ? "" : "  (warmup)");
            err.flush();
            lastOps = ops;
          }
          if (!measuring) {
            // The readings taken as measuring starts run code, in both processes, that the load does not. Taken
            // through the warmup too, that code is compiled along with the hot path instead of making the JIT
            // recompile the hot path once the run is measured.
            CpuSteal.now();
            cpu.read();
          }
          lastTick = now;
        }
        if (now >= hardEnd + 5_000_000_000L) {
          break; // lanes stuck even after stopping: give up waiting for them
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop = true;
      throw new IllegalStateException("interrupted");
    }
    long end = System.nanoTime();
    stop = true;
    Throwable t = failure.get();
    if (t != null) {
      throw new BenchFailure(label + " failed: " + t, t);
    }
    if (!measuring) {
      measureStart = end;
    }
    Histogram copy = histogram.copy();
    long ops = copy.getTotalCount();
    Measurement m = new Measurement(name, description, ops, end - measureStart, ops * bytesPerOp, copy);
    m.stealPercent = CpuSteal.percent(stealAtStart, CpuSteal.now());
    if (cpuAtStart != null) {
      m.cpuBetween(cpuAtStart, cpu.read());
    }
    return m;
  }

  private boolean shouldStop() {
    return stop || System.nanoTime() >= endAt || (count > 0 && measuring && started.get() >= count);
  }

  private void loop(Lane lane) {
    while (true) {
      if (shouldStop()) {
        done.countDown();
        return;
      }
      Histogram into = recording;
      if (count > 0 && into == histogram && started.incrementAndGet() > count) {
        done.countDown();
        return;
      }
      long t0 = System.nanoTime();
      CompletableFuture<?> f;
      try {
        f = lane.next();
      } catch (Throwable e) {
        fail(e);
        done.countDown();
        return;
      }
      if (f == null) {
        done.countDown();
        return;
      }
      if (f.isDone()) {
        if (!complete(f, t0, into)) {
          done.countDown();
          return;
        }
        continue;
      }
      f.whenComplete((v, e) -> {
        if (complete(f, t0, into)) {
          loop(lane);
        } else {
          done.countDown();
        }
      });
      return;
    }
  }

  private boolean complete(CompletableFuture<?> f, long t0, Histogram into) {
    long t = System.nanoTime() - t0;
    if (f.isCompletedExceptionally()) {
      try {
        f.join();
      } catch (Throwable e) {
        fail(e);
      }
      return false;
    }
    completedAll.incrementAndGet();
    into.recordValue(Math.max(1, t));
    return true;
  }

  private void fail(Throwable e) {
    Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
        ? e.getCause() : e;
    failure.compareAndSet(null, cause);
    stop = true;
  }

  /** A run that could not complete (a syscall failed, a lane hung). */
  static final class BenchFailure extends RuntimeException {
    BenchFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
