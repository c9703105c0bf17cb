package dev.zxd.benchmarks;

import dev.zxd.kernel.Kernel;
import dev.zxd.kernel.MonotonicClock;
import dev.zxd.kernel.ObjectSyscalls.WaitResult;
import dev.zxd.kernel.Process;
import dev.zxd.kernel.Signals;
import dev.zxd.kernel.Status;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * On an event: zx_object_signal sets USER_0, zx_object_wait_one(USER_0, INFINITE) finds it already asserted
 * (its callback completes before waitOne returns), and zx_object_signal clears USER_0 again, so the state
 * really changes twice per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SignalBenchmark {
  private World world;
  private Kernel kernel;
  private Process process;
  private int event;
  private int status;
  private WaitResult last;
  private final Consumer<WaitResult> done = r -> last = r;

  @Setup(Level.Trial)
  public void setup() {
    world = new World();
    kernel = world.kernel;
    process = world.process("p");
    event = world.event(process);
    world.mark(observers(), signals());
    for (int i = 0; i < 3; i++) {
      signalWait();
      if ((last.observed() & Signals.USER_0) == 0) {
        throw new IllegalStateException("wait_one: USER_0 not observed");
      }
    }
    world.verify("signal setup", status, observers(), signals());
  }

  private long observers() {
    return process.handle(event).object().observerCount();
  }

  private long signals() {
    return process.handle(event).object().signals();
  }

  @TearDown(Level.Iteration)
  public void verify() {
    world.verify("signal", status, observers(), signals());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    world.close();
  }

  @Benchmark
  public Runnable signalWait() {
    last = null;
    int set = kernel.object().signal(process, event, 0, Signals.USER_0);
    Runnable abandon = kernel.object().waitOne(process, event, Signals.USER_0, MonotonicClock.INFINITE, done);
    int clear = kernel.object().signal(process, event, Signals.USER_0, 0);
    // A wait that did not complete synchronously leaves last null: that fails here, at once.
    status |= set | clear | (last == null ? Status.ERR_INTERNAL : last.status());
    return abandon;
  }
}
