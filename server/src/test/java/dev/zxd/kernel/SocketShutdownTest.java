package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static dev.zxd.kernel.SocketOps.S_PEER_CLOSED;
import static dev.zxd.kernel.SocketOps.S_PEER_WRITE_DISABLED;
import static dev.zxd.kernel.SocketOps.S_READABLE;
import static dev.zxd.kernel.SocketOps.S_WRITABLE;
import static dev.zxd.kernel.SocketOps.S_WRITE_DISABLED;
import static dev.zxd.kernel.SocketOps.assertSignals;
import static dev.zxd.kernel.SocketOps.bytes;
import static dev.zxd.kernel.SocketOps.sig;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** zx_socket_shutdown: both directions, signals on both ends, BAD_STATE, PEER_CLOSED precedence. */
@ExtendWith(KernelExtension.class)
class SocketShutdownTest {
  private static final int WRITE = SocketSyscalls.SHUTDOWN_WRITE;
  private static final int READ = SocketSyscalls.SHUTDOWN_READ;

  @Test
  void shutdownWriteStopsThisEndsWritesAndLetsThePeerDrain(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    int a = ab[0];
    int b = ab[1];
    s.writeAll(p, a, "queued");

    assertStatus(Status.OK, s.shutdown(p, a, WRITE));
    assertSignals(S_WRITE_DISABLED, p, a, "A after SHUTDOWN_WRITE: WRITABLE cleared, WRITE_DISABLED set");
    assertSignals(S_WRITABLE | S_READABLE | S_PEER_WRITE_DISABLED, p, b,
        "B at once gets PEER_WRITE_DISABLED, with data still queued");

    assertStatus(Status.ERR_BAD_STATE, s.write(p, a, "more").status(), "A's writes");
    assertEquals(6, s.queued(p, b), "the refused write queued nothing");

    assertEquals("que", s.readOk(p, b, 3));
    assertEquals("ued", s.readOk(p, b, 10));
    assertSignals(S_WRITABLE | S_PEER_WRITE_DISABLED, p, b, "B drained");
    assertSignals(S_WRITE_DISABLED, p, a, "B's reads do not make A WRITABLE again (A's buffer was never full)");
    s.assertReadStatus(Status.ERR_BAD_STATE, p, b, 10);

    // The other direction still works.
    s.writeAll(p, b, "reply");
    assertEquals("reply", s.readOk(p, a, 10));
  }

  @Test
  void shutdownReadIsTheMirrorImage(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    int a = ab[0];
    int b = ab[1];
    s.writeAll(p, b, "in flight");

    assertStatus(Status.OK, s.shutdown(p, a, READ));
    assertSignals(S_WRITABLE | S_READABLE | S_PEER_WRITE_DISABLED, p, a, "A after SHUTDOWN_READ");
    assertSignals(S_WRITE_DISABLED, p, b, "B: WRITABLE cleared, WRITE_DISABLED set");

    assertStatus(Status.ERR_BAD_STATE, s.write(p, b, "x").status(), "B's writes");
    assertEquals("in flight", s.readOk(p, a, 100), "A drains what was queued before");
    assertSignals(S_WRITE_DISABLED, p, b, "A's read does not make B WRITABLE again");
    s.assertReadStatus(Status.ERR_BAD_STATE, p, a, 10);

    s.writeAll(p, a, "still");
    assertEquals("still", s.readOk(p, b, 10), "A can still write to B");
  }

  @Test
  void shutdownBothDirectionsAtOnce(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.DATAGRAM);
    int a = ab[0];
    int b = ab[1];
    assertStatus(Status.OK, s.shutdown(p, a, READ | WRITE));
    assertSignals(S_WRITE_DISABLED | S_PEER_WRITE_DISABLED, p, a, "A");
    assertSignals(S_WRITE_DISABLED | S_PEER_WRITE_DISABLED, p, b, "B");
    assertStatus(Status.ERR_BAD_STATE, s.write(p, a, "x").status());
    assertStatus(Status.ERR_BAD_STATE, s.write(p, b, "x").status());
    s.assertReadStatus(Status.ERR_BAD_STATE, p, a, 10);
    s.assertReadStatus(Status.ERR_BAD_STATE, p, b, 10);
  }

  @Test
  void shutdownIsIdempotent(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    assertStatus(Status.OK, s.shutdown(p, ab[0], WRITE));
    int sa = sig(p, ab[0]);
    int sb = sig(p, ab[1]);
    assertStatus(Status.OK, s.shutdown(p, ab[0], WRITE));
    assertEquals(sa, sig(p, ab[0]));
    assertEquals(sb, sig(p, ab[1]));
    // The peer shutting down its reading direction is the same state.
    assertStatus(Status.OK, s.shutdown(p, ab[1], READ));
    assertEquals(sa, sig(p, ab[0]));
    assertEquals(sb, sig(p, ab[1]));
  }

  @Test
  void shutdownAfterThePeerClosedIsOk(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    f.close(p, ab[1]);
    assertStatus(Status.OK, s.shutdown(p, ab[0], WRITE));
    assertStatus(Status.OK, s.shutdown(p, ab[0], READ));
    assertStatus(Status.OK, s.shutdown(p, ab[0], READ | WRITE));
    assertEquals(S_PEER_CLOSED, sig(p, ab[0]) & (S_PEER_CLOSED | S_WRITABLE));
  }

  @Test
  void peerClosedWinsOverBadState(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    // Writer side: A shut down writing, then B closed: A's write is PEER_CLOSED.
    int[] ab = s.socket(p, Socket.STREAM);
    assertStatus(Status.OK, s.shutdown(p, ab[0], WRITE));
    f.close(p, ab[1]);
    assertStatus(Status.ERR_PEER_CLOSED, s.write(p, ab[0], "x").status());

    // Reader side: A shut down writing with data queued, then A closed: B drains, then PEER_CLOSED.
    int[] cd = s.socket(p, Socket.STREAM);
    s.writeAll(p, cd[0], "tail");
    assertStatus(Status.OK, s.shutdown(p, cd[0], WRITE));
    f.close(p, cd[0]);
    assertEquals("tail", s.readOk(p, cd[1], 10));
    s.assertReadStatus(Status.ERR_PEER_CLOSED, p, cd[1], 10);
  }

  @ParameterizedTest(name = "options {0}")
  @ValueSource(ints = {4, 8, 7, 0x80000000})
  void unknownOptionsAreInvalidArgsBeforeTheLookup(int options, KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    int before = sig(p, ab[0]);
    assertStatus(Status.ERR_INVALID_ARGS, s.shutdown(p, ab[0], options));
    assertStatus(Status.ERR_INVALID_ARGS, s.shutdown(p, 0, options), "before BAD_HANDLE");
    assertEquals(before, sig(p, ab[0]), "nothing shut down");
    s.writeAll(p, ab[0], "ok");
  }

  @Test
  void shutdownNeedsWriteRightAndASocket(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    int readOnly = f.duplicate(p, ab[0], Rights.DEFAULT_SOCKET & ~Rights.WRITE);
    assertStatus(Status.ERR_ACCESS_DENIED, s.shutdown(p, readOnly, READ), "even SHUTDOWN_READ needs WRITE");
    assertEquals(S_WRITABLE, sig(p, ab[1]) & S_WRITABLE, "nothing happened");
    int[] ch = f.channel(p);
    assertStatus(Status.ERR_WRONG_TYPE, s.shutdown(p, ch[0], WRITE));
    assertStatus(Status.ERR_BAD_HANDLE, s.shutdown(p, 0, WRITE));
    // Zero options: nothing to shut down, but still a valid call.
    assertStatus(Status.OK, s.shutdown(p, ab[0], 0));
    assertEquals(bytes("x").size(), s.write(p, ab[0], "x").actual());
  }
}
