package dev.zxd.benchmarks;

import com.google.protobuf.ByteString;
import dev.zxd.kernel.Channel;
import dev.zxd.kernel.ChannelSyscalls;
import dev.zxd.kernel.ChannelSyscalls.ReadResult;
import dev.zxd.kernel.Kernel;
import dev.zxd.kernel.Limits;
import dev.zxd.kernel.Process;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * zx_channel_write then zx_channel_read of the same message: a writer process holds one end, a reader process
 * (its child) the other. The read asks for the most a message can hold, as a client that does not know the size.
 * The message bytes are one immutable buffer made in setup (the kernel keeps the writer's buffer, no copy).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ChannelBenchmark {
  private static final List<ChannelSyscalls.Iovec> NO_IOVEC = List.of();
  private static final int[] NO_HANDLES = new int[0];
  private static final int MAX_BYTES = Limits.CHANNEL_MAX_MSG_BYTES;
  private static final int MAX_HANDLES = Limits.CHANNEL_MAX_MSG_HANDLES;

  private World world;
  private Kernel kernel;
  private Process writer;
  private Process reader;
  private int writeEnd; // in writer
  private int readEnd; // in reader
  private int eventInWriter; // the handle carried by writeRead64BWith1Handle, wherever it is now
  private final int[] carried = new int[1];
  private ByteString bytes64;
  private ByteString bytes64k;
  private int status; // OR of every status seen

  @Setup(Level.Trial)
  public void setup() {
    world = new World();
    kernel = world.kernel;
    writer = world.process("writer");
    int[] ends = world.channel(writer);
    writeEnd = ends[0];
    int[] inChild = new int[1];
    reader = world.child(writer, "reader", ends[1], inChild);
    readEnd = inChild[0];
    eventInWriter = world.event(writer);
    bytes64 = ByteString.copyFrom(new byte[64]);
    bytes64k = ByteString.copyFrom(new byte[64 * 1024]);

    world.mark(queued());
    for (int i = 0; i < 3; i++) {
      check(writeRead64B(), 64, 0);
      check(writeRead64KiB(), 64 * 1024, 0);
      check(writeRead64BWith1Handle(), 64, 1);
    }
    world.verify("channel setup", status, queued());
  }

  private void check(ReadResult r, int bytes, int handles) {
    World.ok(r.status(), "channel_read");
    if (r.actualBytes() != bytes || r.handles().length != handles) {
      throw new IllegalStateException("channel_read: " + r.actualBytes() + " bytes, " + r.handles().length
          + " handles");
    }
  }

  private long queued() {
    return ((Channel) writer.handle(writeEnd).object()).queuedMessages()
        + ((Channel) reader.handle(readEnd).object()).queuedMessages();
  }

  @TearDown(Level.Iteration)
  public void verify() {
    world.verify("channel", status, queued());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    world.close();
  }

  @Benchmark
  public ReadResult writeRead64B() {
    status |= kernel.channel().write(writer, writeEnd, 0, bytes64, NO_IOVEC, NO_HANDLES);
    ReadResult r = kernel.channel().read(reader, readEnd, 0, MAX_BYTES, MAX_HANDLES);
    status |= r.status();
    return r;
  }

  @Benchmark
  public ReadResult writeRead64KiB() {
    status |= kernel.channel().write(writer, writeEnd, 0, bytes64k, NO_IOVEC, NO_HANDLES);
    ReadResult r = kernel.channel().read(reader, readEnd, 0, MAX_BYTES, MAX_HANDLES);
    status |= r.status();
    return r;
  }

  /**
   * 64 bytes and an event handle (MOVE) across to the reader, then back to the writer the same way: two
   * write+read pairs per invocation, so the figure is per write+read with one handle. Each read installs the
   * handle under a new value; handle counts and tables stay the same size.
   */
  @Benchmark
  @OperationsPerInvocation(2)
  public ReadResult writeRead64BWith1Handle() {
    carried[0] = eventInWriter;
    status |= kernel.channel().write(writer, writeEnd, 0, bytes64, NO_IOVEC, carried);
    ReadResult there = kernel.channel().read(reader, readEnd, 0, MAX_BYTES, MAX_HANDLES);
    status |= there.status();
    carried[0] = there.handles()[0];
    status |= kernel.channel().write(reader, readEnd, 0, bytes64, NO_IOVEC, carried);
    ReadResult back = kernel.channel().read(writer, writeEnd, 0, MAX_BYTES, MAX_HANDLES);
    status |= back.status();
    eventInWriter = back.handles()[0];
    return back;
  }
}
