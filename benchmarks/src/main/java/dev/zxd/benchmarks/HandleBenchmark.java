package dev.zxd.benchmarks;

import dev.zxd.kernel.HandleResult;
import dev.zxd.kernel.Kernel;
import dev.zxd.kernel.Process;
import dev.zxd.kernel.Rights;
import java.util.concurrent.TimeUnit;
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

/** zx_handle_duplicate (SAME_RIGHTS) of an event handle, then zx_handle_close of the duplicate. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class HandleBenchmark {
  private World world;
  private Kernel kernel;
  private Process process;
  private int event;
  private int status;

  @Setup(Level.Trial)
  public void setup() {
    world = new World();
    kernel = world.kernel;
    process = world.process("p");
    event = world.event(process);
    world.mark(handleCount());
    for (int i = 0; i < 3; i++) {
      duplicateClose();
    }
    world.verify("handle setup", status, handleCount());
  }

  private long handleCount() {
    return process.handle(event).object().handleCount();
  }

  @TearDown(Level.Iteration)
  public void verify() {
    world.verify("handle", status, handleCount());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    world.close();
  }

  @Benchmark
  public int duplicateClose() {
    HandleResult dup = kernel.handle().duplicate(process, event, Rights.SAME_RIGHTS);
    int closed = kernel.handle().close(process, dup.out());
    status |= dup.status() | closed;
    return closed;
  }
}
