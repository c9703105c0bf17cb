package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static dev.zxd.kernel.SocketOps.S_CONTROL_READABLE;
import static dev.zxd.kernel.SocketOps.S_CONTROL_WRITABLE;
import static dev.zxd.kernel.SocketOps.S_READABLE;
import static dev.zxd.kernel.SocketOps.assertHas;
import static dev.zxd.kernel.SocketOps.assertLacks;
import static dev.zxd.kernel.SocketOps.bytes;
import static dev.zxd.kernel.SocketOps.pattern;
import static dev.zxd.kernel.SocketOps.sig;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import dev.zxd.kernel.SocketSyscalls.ReadResult;
import dev.zxd.kernel.SocketSyscalls.WriteResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The 2018 control plane: ZX_SOCKET_CONTROL reads and writes on HAS_CONTROL sockets. */
@ExtendWith(KernelExtension.class)
class SocketControlTest {
  private static final int CONTROL = Socket.HAS_CONTROL;

  @Test
  void withoutHasControlTheControlPlaneIsBadState(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM | Socket.HAS_ACCEPT);
    assertLacks(S_CONTROL_WRITABLE, p, ab[0], "no control plane");
    assertStatus(Status.ERR_BAD_STATE, s.writeControl(p, ab[0], bytes("x")).status());
    assertStatus(Status.ERR_BAD_STATE, s.readControl(p, ab[1], 10).status());
    // BAD_STATE comes before the argument checks.
    assertStatus(Status.ERR_BAD_STATE, s.writeControl(p, ab[0], ByteString.EMPTY).status());
    assertStatus(Status.ERR_BAD_STATE, s.writeControl(p, ab[0], pattern(2000, 1)).status());
    assertLacks(S_CONTROL_READABLE, p, ab[1], "nothing arrived");
  }

  @Test
  void messageSizeLimits(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, CONTROL);
    assertStatus(Status.ERR_INVALID_ARGS, s.writeControl(p, ab[0], ByteString.EMPTY).status(), "empty");
    WriteResult tooLong = s.writeControl(p, ab[0], pattern(1025, 1));
    assertStatus(Status.ERR_OUT_OF_RANGE, tooLong.status(), "1025 bytes");
    assertEquals(0, tooLong.actual());
    assertLacks(S_CONTROL_READABLE, p, ab[1], "nothing queued by the failures");
    assertHas(S_CONTROL_WRITABLE, p, ab[0], "slot still free");

    ByteString max = pattern(1024, 2);
    WriteResult ok = s.writeControl(p, ab[0], max);
    assertStatus(Status.OK, ok.status(), "1024 bytes");
    assertEquals(1024, ok.actual());
    ReadResult r = s.readControl(p, ab[1], 4096);
    assertStatus(Status.OK, r.status());
    assertEquals(max, r.bytes());
  }

  @Test
  void oneMessageDeepWithSignalsMovingOnBothEnds(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, CONTROL);
    int a = ab[0];
    int b = ab[1];
    assertHas(S_CONTROL_WRITABLE, p, a, "initially");
    assertLacks(S_CONTROL_READABLE, p, b, "initially");

    assertStatus(Status.OK, s.writeControl(p, a, bytes("first")).status());
    assertLacks(S_CONTROL_WRITABLE, p, a, "A's message occupies B's slot");
    assertHas(S_CONTROL_READABLE, p, b, "B has a control message");
    assertLacks(S_READABLE, p, b, "the data plane is untouched");
    assertEquals(0, s.queued(p, b));

    WriteResult second = s.writeControl(p, a, bytes("second"));
    assertStatus(Status.ERR_SHOULD_WAIT, second.status(), "slot full");
    assertEquals(0, second.actual());

    // The other direction has its own slot.
    assertHas(S_CONTROL_WRITABLE, p, b, "B's own direction is free");
    assertStatus(Status.OK, s.writeControl(p, b, bytes("from b")).status());
    assertHas(S_CONTROL_READABLE, p, a, "A got B's");

    ReadResult r = s.readControl(p, b, 100);
    assertStatus(Status.OK, r.status());
    assertEquals("first", r.bytes().toStringUtf8());
    assertLacks(S_CONTROL_READABLE, p, b, "B's slot emptied");
    assertHas(S_CONTROL_WRITABLE, p, a, "A may write again");
    assertStatus(Status.ERR_SHOULD_WAIT, s.readControl(p, b, 100).status(), "slot empty");

    assertStatus(Status.OK, s.writeControl(p, a, bytes("second")).status());
    assertEquals("second", s.readControl(p, b, 100).bytes().toStringUtf8());
    assertEquals("from b", s.readControl(p, a, 100).bytes().toStringUtf8());
  }

  @Test
  void aShortControlReadDiscardsTheRestAndPeekKeepsIt(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, CONTROL | Socket.DATAGRAM);
    assertStatus(Status.OK, s.writeControl(p, ab[0], bytes("abcdef")).status());
    int before = sig(p, ab[1]);
    int writerBefore = sig(p, ab[0]);
    ReadResult peek = f.kernel().socket().read(p, ab[1], SocketSyscalls.CONTROL | SocketSyscalls.PEEK, 2);
    assertStatus(Status.OK, peek.status());
    assertEquals("ab", peek.bytes().toStringUtf8());
    assertEquals(before, sig(p, ab[1]), "peek changes no signal here");
    assertEquals(writerBefore, sig(p, ab[0]), "nor on the writer");

    ReadResult r = s.readControl(p, ab[1], 3);
    assertStatus(Status.OK, r.status());
    assertEquals("abc", r.bytes().toStringUtf8());
    assertEquals(3, r.actual());
    assertStatus(Status.ERR_SHOULD_WAIT, s.readControl(p, ab[1], 100).status(), "the rest was discarded");
    assertHas(S_CONTROL_WRITABLE, p, ab[0], "slot free again");
  }

  @Test
  void controlPlaneIsNotBlockedByShutdown(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, CONTROL);
    assertStatus(Status.OK, s.shutdown(p, ab[0], SocketSyscalls.SHUTDOWN_WRITE | SocketSyscalls.SHUTDOWN_READ));
    assertStatus(Status.ERR_BAD_STATE, s.write(p, ab[0], "data").status(), "data plane is shut");
    assertStatus(Status.OK, s.writeControl(p, ab[0], bytes("ctl a")).status(), "A, write-disabled");
    assertStatus(Status.OK, s.writeControl(p, ab[1], bytes("ctl b")).status(), "B, write-disabled too");
    assertEquals("ctl a", s.readControl(p, ab[1], 100).bytes().toStringUtf8());
    assertEquals("ctl b", s.readControl(p, ab[0], 100).bytes().toStringUtf8());
  }

  @Test
  void peerClosedAffectsControlWritesButNotControlReads(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, CONTROL);
    assertStatus(Status.OK, s.writeControl(p, ab[0], bytes("before close")).status());
    f.close(p, ab[0]);
    assertStatus(Status.ERR_PEER_CLOSED, s.writeControl(p, ab[1], bytes("x")).status());
    assertEquals("before close", s.readControl(p, ab[1], 100).bytes().toStringUtf8(), "still delivered");
    // An empty control slot is SHOULD_WAIT, never PEER_CLOSED.
    assertStatus(Status.ERR_SHOULD_WAIT, s.readControl(p, ab[1], 100).status());
  }

  @Test
  void controlNeedsTheSameRightsAsData(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, CONTROL);
    int noWrite = f.duplicate(p, ab[0], Rights.DEFAULT_SOCKET & ~Rights.WRITE);
    int noRead = f.duplicate(p, ab[1], Rights.DEFAULT_SOCKET & ~Rights.READ);
    assertStatus(Status.ERR_ACCESS_DENIED, s.writeControl(p, noWrite, bytes("x")).status());
    assertStatus(Status.OK, s.writeControl(p, ab[0], bytes("x")).status());
    assertStatus(Status.ERR_ACCESS_DENIED, s.readControl(p, noRead, 10).status());
    assertHas(S_CONTROL_READABLE, p, ab[1], "the denied read consumed nothing");
  }
}
