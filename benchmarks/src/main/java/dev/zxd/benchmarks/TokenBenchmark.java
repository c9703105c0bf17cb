package dev.zxd.benchmarks;

import dev.zxd.kernel.HandleResult;
import dev.zxd.kernel.Kernel;
import dev.zxd.kernel.Process;
import dev.zxd.kernel.Socket;
import dev.zxd.kernel.SocketSyscalls.TokenResult;
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

/**
 * The protocol-info token handoff: the source process's DuplicateForProcess of its socket for a target
 * process, the target's CreateFromProtocolInfo with that token, then the target closes the handle it got.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TokenBenchmark {
  private World world;
  private Kernel kernel;
  private Process source;
  private Process target;
  private long targetKoid;
  private int socket;
  private int status;

  @Setup(Level.Trial)
  public void setup() {
    world = new World();
    kernel = world.kernel;
    source = world.process("source");
    target = world.process("target");
    targetKoid = target.koid();
    socket = world.socket(source, Socket.STREAM)[0];
    world.mark(handleCount());
    for (int i = 0; i < 3; i++) {
      createRedeem();
    }
    world.verify("token setup", status, handleCount());
  }

  private long handleCount() {
    return source.handle(socket).object().handleCount();
  }

  @TearDown(Level.Iteration)
  public void verify() {
    world.verify("token", status, handleCount());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    world.close();
  }

  @Benchmark
  public int createRedeem() {
    TokenResult token = kernel.socket().duplicateForProcess(source, socket, targetKoid);
    HandleResult redeemed = kernel.socket().createFromProtocolInfo(target, token.info().token());
    int closed = kernel.handle().close(target, redeemed.out());
    status |= token.status() | redeemed.status() | closed;
    return closed;
  }
}
