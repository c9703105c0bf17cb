package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static dev.zxd.kernel.SocketOps.S_CONTROL_WRITABLE;
import static dev.zxd.kernel.SocketOps.S_SHARE;
import static dev.zxd.kernel.SocketOps.S_WRITABLE;
import static dev.zxd.kernel.SocketOps.assertSignals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** zx_socket_create: options, default rights, initial signals, the pairing of the two ends. */
@ExtendWith(KernelExtension.class)
class SocketCreateTest {

  @ParameterizedTest(name = "options {0}")
  @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7})
  void everyLegalOptionCombinationMakesAConnectedPair(int options, KernelFixture f) {
    Process p = f.process();
    HandlePairResult r = f.kernel().socket().create(p, options);
    assertStatus(Status.OK, r.status(), "socket_create(" + options + ")");
    int a = r.out0();
    int b = r.out1();
    assertNotEquals(0, a);
    assertNotEquals(0, b);
    assertNotEquals(a, b);

    for (int h : new int[] {a, b}) {
      assertEquals(0xF0CF, f.rights(p, h), "ZX_DEFAULT_SOCKET_RIGHTS");
      assertEquals(ObjectType.SOCKET, f.object(p, h).type());
      assertEquals(options, ((Socket) f.object(p, h)).options());
      int expected = S_WRITABLE
          | ((options & Socket.HAS_ACCEPT) != 0 ? S_SHARE : 0)
          | ((options & Socket.HAS_CONTROL) != 0 ? S_CONTROL_WRITABLE : 0);
      assertSignals(expected, p, h, "initial signals, options " + options);
      // The same state seen through a syscall (wait_one with a past deadline).
      assertEquals(expected, f.signals(p, h));
    }
    assertEquals(f.koid(p, b), f.object(p, a).relatedKoid(), "a's related koid is b");
    assertEquals(f.koid(p, a), f.object(p, b).relatedKoid(), "b's related koid is a");

    // Connected: what a writes, b reads.
    SocketOps s = new SocketOps(f);
    s.writeAll(p, a, "ping");
    assertEquals("ping", s.readOk(p, b, 16));
    f.close(p, a, b);
    assertEquals(0, f.kernel().objects().count(ObjectType.SOCKET));
  }

  @ParameterizedTest(name = "options {0}")
  @ValueSource(ints = {8, 9, 15, 16, 256, 0x100 | 1, 0x80000000, -1})
  void anyOtherOptionBitIsInvalidArgsAndMakesNothing(int options, KernelFixture f) {
    Process p = f.process();
    int before = p.handleTableSize();
    HandlePairResult r = f.kernel().socket().create(p, options);
    assertStatus(Status.ERR_INVALID_ARGS, r.status(), "socket_create(" + KernelFixture.hex(options) + ")");
    assertEquals(0, r.out0());
    assertEquals(0, r.out1());
    assertEquals(before, p.handleTableSize(), "no handle installed");
    assertEquals(0, f.kernel().objects().count(ObjectType.SOCKET), "no socket object made");
  }

  @Test
  void endsAreDistinctObjectsWithDistinctKoids(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    int[] cd = s.socket(p, Socket.STREAM);
    assertNotEquals(f.koid(p, ab[0]), f.koid(p, ab[1]));
    assertNotEquals(f.koid(p, ab[0]), f.koid(p, cd[0]));
    assertEquals(4, f.kernel().objects().count(ObjectType.SOCKET));
    // Two sockets do not cross-talk.
    s.writeAll(p, ab[0], "x");
    s.assertReadStatus(Status.ERR_SHOULD_WAIT, p, cd[1], 8);
    assertEquals("x", s.readOk(p, ab[1], 8));
  }
}
