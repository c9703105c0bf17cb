package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import dev.zxd.kernel.SocketSyscalls.ReadResult;
import dev.zxd.kernel.SocketSyscalls.WriteResult;
import java.nio.charset.StandardCharsets;

/**
 * Socket helpers for the Socket*Test classes and ProtocolInfoTokenTest, over {@link KernelFixture}. Everything
 * goes through the public syscalls, except {@link #sig}, which reads an object's signal state directly (so it
 * works for handles without ZX_RIGHT_WAIT too).
 */
final class SocketOps {
  static final int MAX = Socket.BUFFER_MAX; // 264 160
  static final int S_READABLE = Signals.SOCKET_READABLE;
  static final int S_WRITABLE = Signals.SOCKET_WRITABLE;
  static final int S_PEER_CLOSED = Signals.SOCKET_PEER_CLOSED;
  static final int S_PEER_WRITE_DISABLED = Signals.SOCKET_PEER_WRITE_DISABLED;
  static final int S_WRITE_DISABLED = Signals.SOCKET_WRITE_DISABLED;
  static final int S_CONTROL_READABLE = Signals.SOCKET_CONTROL_READABLE;
  static final int S_CONTROL_WRITABLE = Signals.SOCKET_CONTROL_WRITABLE;
  static final int S_ACCEPT = Signals.SOCKET_ACCEPT;
  static final int S_SHARE = Signals.SOCKET_SHARE;
  static final int S_READ_THRESHOLD = Signals.SOCKET_READ_THRESHOLD;
  static final int S_WRITE_THRESHOLD = Signals.SOCKET_WRITE_THRESHOLD;

  private final KernelFixture f;

  SocketOps(KernelFixture f) {
    this.f = f;
  }

  Kernel k() {
    return f.kernel();
  }

  /** Both ends of a new socket, as {a, b}. */
  int[] socket(Process p, int options) {
    HandlePairResult r = k().socket().create(p, options);
    assertStatus(Status.OK, r.status(), "socket_create(" + options + ")");
    return new int[] {r.out0(), r.out1()};
  }

  static ByteString bytes(String s) {
    return ByteString.copyFrom(s, StandardCharsets.UTF_8);
  }

  /** n bytes of a pattern that depends on {@code seed}, so misplaced bytes show. */
  static ByteString pattern(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 31 + seed * 7 + (i >>> 8));
    }
    return ByteString.copyFrom(b);
  }

  static String str(ByteString b) {
    return b.toStringUtf8();
  }

  WriteResult write(Process p, int h, ByteString data) {
    return k().socket().write(p, h, 0, data);
  }

  WriteResult write(Process p, int h, String data) {
    return write(p, h, bytes(data));
  }

  /** A data write that must succeed and write exactly {@code expectedActual} bytes. */
  void writeOk(Process p, int h, ByteString data, int expectedActual) {
    WriteResult r = write(p, h, data);
    assertStatus(Status.OK, r.status(), "socket_write");
    assertEquals(expectedActual, r.actual(), "socket_write actual");
  }

  void writeAll(Process p, int h, String data) {
    writeOk(p, h, bytes(data), bytes(data).size());
  }

  WriteResult writeControl(Process p, int h, ByteString data) {
    return k().socket().write(p, h, SocketSyscalls.CONTROL, data);
  }

  ReadResult read(Process p, int h, int len) {
    return k().socket().read(p, h, 0, len);
  }

  ReadResult peek(Process p, int h, int len) {
    return k().socket().read(p, h, SocketSyscalls.PEEK, len);
  }

  ReadResult readControl(Process p, int h, int len) {
    return k().socket().read(p, h, SocketSyscalls.CONTROL, len);
  }

  /** A data read that must succeed; returns the bytes as UTF-8. */
  String readOk(Process p, int h, int len) {
    ReadResult r = read(p, h, len);
    assertStatus(Status.OK, r.status(), "socket_read");
    return str(r.bytes());
  }

  void assertReadStatus(int expected, Process p, int h, int len) {
    ReadResult r = read(p, h, len);
    assertStatus(expected, r.status(), "socket_read");
    assertEquals(0, r.actual(), "a failed read returns no bytes");
  }

  int shutdown(Process p, int h, int options) {
    return k().socket().shutdown(p, h, options);
  }

  /** The object's signal state, read directly (no WAIT right needed). */
  static int sig(Process p, int h) {
    Handle handle = p.handle(h);
    if (handle == null) {
      throw new AssertionError("no handle " + KernelFixture.hex(h) + " in " + p.name());
    }
    return handle.object().signals();
  }

  static void assertSignals(int expected, Process p, int h, String what) {
    int actual = sig(p, h);
    assertEquals(expected, actual, () -> what + ": expected signals " + KernelFixture.hex(expected)
        + " but were " + KernelFixture.hex(actual));
  }

  static void assertHas(int bits, Process p, int h, String what) {
    int actual = sig(p, h);
    assertEquals(bits, actual & bits, () -> what + ": expected " + KernelFixture.hex(bits) + " set in "
        + KernelFixture.hex(actual));
  }

  static void assertLacks(int bits, Process p, int h, String what) {
    int actual = sig(p, h);
    assertEquals(0, actual & bits, () -> what + ": expected " + KernelFixture.hex(bits) + " clear in "
        + KernelFixture.hex(actual));
  }

  InfoRecord.SocketInfo info(Process p, int h) {
    ObjectSyscalls.InfoResult r = k().object().getInfo(p, h, ObjectSyscalls.INFO_SOCKET, 48);
    assertStatus(Status.OK, r.status(), "get_info(SOCKET)");
    return (InfoRecord.SocketInfo) r.record();
  }

  /** Bytes queued for reading at {@code h}, from ZX_INFO_SOCKET. */
  long queued(Process p, int h) {
    return info(p, h).rxBufSize();
  }

  int handleCount(Process p, int h) {
    ObjectSyscalls.InfoResult r = k().object().getInfo(p, h, ObjectSyscalls.INFO_HANDLE_COUNT, 4);
    assertStatus(Status.OK, r.status(), "get_info(HANDLE_COUNT)");
    return ((InfoRecord.HandleCount) r.record()).handleCount();
  }

  int setProperty(Process p, int h, int property, long value) {
    return k().object().setProperty(p, h, property, new byte[8], value);
  }

  long getProperty(Process p, int h, int property) {
    ObjectSyscalls.PropertyResult r = k().object().getProperty(p, h, property, 8);
    assertStatus(Status.OK, r.status(), "get_property(" + property + ")");
    return r.number();
  }
}
