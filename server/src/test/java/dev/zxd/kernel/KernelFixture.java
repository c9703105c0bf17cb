package dev.zxd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.protobuf.ByteString;
import dev.zxd.kernel.ChannelSyscalls.HandleDisposition;
import dev.zxd.kernel.ChannelSyscalls.ReadResult;
import dev.zxd.kernel.ObjectSyscalls.WaitResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One test's kernel, with the helpers kernel tests keep needing: processes, objects made and checked in one
 * line, synchronous waits, deadlines. Everything goes through the public syscalls, as a client would.
 */
public final class KernelFixture {
  /** Large enough for any message: read helpers never hit BUFFER_TOO_SMALL by accident. */
  static final int ANY_BYTES = Limits.CHANNEL_MAX_MSG_BYTES;
  static final int ANY_HANDLES = Limits.CHANNEL_MAX_MSG_HANDLES;

  private final Kernel kernel;
  private final AtomicInteger names = new AtomicInteger();

  KernelFixture(Kernel kernel) {
    this.kernel = kernel;
  }

  public Kernel kernel() {
    return kernel;
  }

  // ---- processes ----

  /** A new top-level (running) process. */
  public Process process(String name) {
    ProcessSyscalls.CreateResult r = kernel.process().create(null, name, 0);
    assertEquals(Status.OK, r.status(), () -> "process create: " + Status.name(r.status()));
    return r.process();
  }

  public Process process() {
    return process("p" + names.incrementAndGet());
  }

  // ---- objects ----

  /** Both ends of a new channel, as {a, b}. */
  int[] channel(Process p) {
    HandlePairResult r = kernel.channel().create(p, 0);
    assertStatus(Status.OK, r.status(), "channel_create");
    return new int[] {r.out0(), r.out1()};
  }

  int event(Process p) {
    HandleResult r = kernel.event().create(p, 0);
    assertStatus(Status.OK, r.status(), "event_create");
    return r.out();
  }

  int[] eventPair(Process p) {
    HandlePairResult r = kernel.event().createPair(p, 0);
    assertStatus(Status.OK, r.status(), "eventpair_create");
    return new int[] {r.out0(), r.out1()};
  }

  int duplicate(Process p, int h, int rights) {
    HandleResult r = kernel.handle().duplicate(p, h, rights);
    assertStatus(Status.OK, r.status(), "handle_duplicate");
    return r.out();
  }

  int replace(Process p, int h, int rights) {
    HandleResult r = kernel.handle().replace(p, h, rights);
    assertStatus(Status.OK, r.status(), "handle_replace");
    return r.out();
  }

  void close(Process p, int... handles) {
    for (int h : handles) {
      assertStatus(Status.OK, kernel.handle().close(p, h), "handle_close");
    }
  }

  /** The object a handle names; fails if the value is not in the table. */
  KernelObject object(Process p, int h) {
    Handle handle = p.handle(h);
    assertNotNull(handle, () -> "no handle 0x" + Integer.toHexString(h) + " in " + p.name());
    return handle.object();
  }

  long koid(Process p, int h) {
    return object(p, h).koid();
  }

  int rights(Process p, int h) {
    Handle handle = p.handle(h);
    assertNotNull(handle, () -> "no handle 0x" + Integer.toHexString(h) + " in " + p.name());
    return handle.rights();
  }

  /** The object's current signals, read as Zircon's tests do: wait_one(h, 0, past) → TIMED_OUT, observed. */
  int signals(Process p, int h) {
    WaitResult r = waitOne(p, h, 0, 0);
    assertStatus(Status.ERR_TIMED_OUT, r.status(), "wait_one(0, past)");
    return r.observed();
  }

  boolean alive(long koid) {
    return kernel.objects().get(koid) != null;
  }

  // ---- channel I/O ----

  static ByteString bytes(String s) {
    return ByteString.copyFrom(s, StandardCharsets.UTF_8);
  }

  int write(Process p, int channel, String data, int... handles) {
    return kernel.channel().write(p, channel, 0, bytes(data), List.of(), handles);
  }

  int write(Process p, int channel, ByteString data, int... handles) {
    return kernel.channel().write(p, channel, 0, data, List.of(), handles);
  }

  void writeOk(Process p, int channel, String data, int... handles) {
    assertStatus(Status.OK, write(p, channel, data, handles), "channel_write");
  }

  ChannelSyscalls.WriteEtcResult writeEtc(Process p, int channel, String data, HandleDisposition... ds) {
    return kernel.channel().writeEtc(p, channel, 0, bytes(data), List.of(), ds);
  }

  ReadResult read(Process p, int channel) {
    return kernel.channel().read(p, channel, 0, ANY_BYTES, ANY_HANDLES);
  }

  ReadResult readOk(Process p, int channel) {
    ReadResult r = read(p, channel);
    assertStatus(Status.OK, r.status(), "channel_read");
    return r;
  }

  static HandleDisposition move(int h) {
    return new HandleDisposition(ChannelSyscalls.HANDLE_OP_MOVE, h, ObjectType.NONE, Rights.SAME_RIGHTS);
  }

  static HandleDisposition duplicateOf(int h) {
    return new HandleDisposition(ChannelSyscalls.HANDLE_OP_DUPLICATE, h, ObjectType.NONE, Rights.SAME_RIGHTS);
  }

  // ---- waits and time ----

  /** A deadline {@code d} from now on the kernel's clock. */
  long after(Duration d) {
    return kernel.clock().now() + d.toNanos();
  }

  /** A deadline already passed. */
  long past() {
    return kernel.clock().now() - 1;
  }

  /** wait_one, waited for (bounded). */
  WaitResult waitOne(Process p, int h, int signals, long deadline) {
    Outcome<WaitResult> out = new Outcome<>();
    kernel.object().waitOne(p, h, signals, deadline, out);
    return out.get();
  }

  // ---- assertions ----

  static void assertStatus(int expected, int actual, String what) {
    assertEquals(expected, actual,
        () -> what + ": expected " + Status.name(expected) + " but was " + Status.name(actual));
  }

  static void assertStatus(int expected, int actual) {
    assertStatus(expected, actual, "status");
  }

  /** The handle value names nothing in p's table any more (closed, moved or consumed). */
  void assertGone(Process p, int h) {
    assertStatus(Status.ERR_BAD_HANDLE,
        kernel.object().getInfo(p, h, ObjectSyscalls.INFO_HANDLE_VALID, 0).status(),
        "handle 0x" + Integer.toHexString(h) + " should be gone from " + p.name());
  }

  /** The handle value is valid in p's table. */
  void assertValid(Process p, int h) {
    assertStatus(Status.OK, kernel.object().getInfo(p, h, ObjectSyscalls.INFO_HANDLE_VALID, 0).status(),
        "handle 0x" + Integer.toHexString(h) + " should be valid in " + p.name());
  }

  static String hex(int v) {
    return "0x" + Integer.toHexString(v);
  }
}
