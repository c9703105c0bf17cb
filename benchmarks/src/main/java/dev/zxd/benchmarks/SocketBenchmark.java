package dev.zxd.benchmarks;

import com.google.protobuf.ByteString;
import dev.zxd.kernel.Kernel;
import dev.zxd.kernel.Process;
import dev.zxd.kernel.Socket;
import dev.zxd.kernel.SocketSyscalls.ReadResult;
import dev.zxd.kernel.SocketSyscalls.WriteResult;
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
 * zx_socket_write then zx_socket_read of the same number of bytes on a stream socket: a writer process holds
 * one end, a reader process (its child) the other. The buffer is empty again after each operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SocketBenchmark {
  private World world;
  private Kernel kernel;
  private Process writer;
  private Process reader;
  private int writeEnd;
  private int readEnd;
  private ByteString bytes64;
  private ByteString bytes64k;
  private int status;
  private int short64;
  private int short64k;

  @Setup(Level.Trial)
  public void setup() {
    world = new World();
    kernel = world.kernel;
    writer = world.process("writer");
    int[] ends = world.socket(writer, Socket.STREAM);
    writeEnd = ends[0];
    int[] inChild = new int[1];
    reader = world.child(writer, "reader", ends[1], inChild);
    readEnd = inChild[0];
    bytes64 = ByteString.copyFrom(new byte[64]);
    bytes64k = ByteString.copyFrom(new byte[64 * 1024]);
    world.mark(queued());
    for (int i = 0; i < 3; i++) {
      if (writeRead64B().actual() != 64 || writeRead64KiB().actual() != 64 * 1024) {
        throw new IllegalStateException("socket_read: short read");
      }
    }
    world.verify("socket setup", status | short64 | short64k, queued());
  }

  private long queued() {
    return ((Socket) writer.handle(writeEnd).object()).queuedBytes()
        + ((Socket) reader.handle(readEnd).object()).queuedBytes();
  }

  @TearDown(Level.Iteration)
  public void verify() {
    world.verify("socket", status | short64 | short64k, queued());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    world.close();
  }

  @Benchmark
  public ReadResult writeRead64B() {
    WriteResult w = kernel.socket().write(writer, writeEnd, 0, bytes64);
    ReadResult r = kernel.socket().read(reader, readEnd, 0, 64);
    status |= w.status() | r.status();
    short64 |= (w.actual() ^ 64) | (r.actual() ^ 64);
    return r;
  }

  @Benchmark
  public ReadResult writeRead64KiB() {
    WriteResult w = kernel.socket().write(writer, writeEnd, 0, bytes64k);
    ReadResult r = kernel.socket().read(reader, readEnd, 0, 64 * 1024);
    status |= w.status() | r.status();
    short64k |= (w.actual() ^ 65536) | (r.actual() ^ 65536);
    return r;
  }
}
