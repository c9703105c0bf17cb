package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static dev.zxd.kernel.SocketOps.MAX;
import static dev.zxd.kernel.SocketOps.S_READ_THRESHOLD;
import static dev.zxd.kernel.SocketOps.S_WRITE_THRESHOLD;
import static dev.zxd.kernel.SocketOps.assertHas;
import static dev.zxd.kernel.SocketOps.assertLacks;
import static dev.zxd.kernel.SocketOps.pattern;
import static dev.zxd.kernel.SocketOps.sig;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** ZX_PROP_SOCKET_RX_THRESHOLD / TX_THRESHOLD and the READ_THRESHOLD / WRITE_THRESHOLD signals. */
@ExtendWith(KernelExtension.class)
class SocketThresholdTest {
  private static final int RX = ObjectSyscalls.PROP_SOCKET_RX_THRESHOLD;
  private static final int TX = ObjectSyscalls.PROP_SOCKET_TX_THRESHOLD;

  @Test
  void thresholdsStartAtZeroWithTheirSignalsOff(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    assertEquals(0, s.getProperty(p, ab[0], RX));
    assertEquals(0, s.getProperty(p, ab[0], TX));
    s.writeOk(p, ab[1], pattern(100, 1), 100);
    assertLacks(S_READ_THRESHOLD | S_WRITE_THRESHOLD, p, ab[0], "disabled thresholds never fire");
    assertLacks(S_READ_THRESHOLD | S_WRITE_THRESHOLD, p, ab[1], "disabled thresholds never fire");
  }

  @Test
  void readThresholdFollowsWritesAndConsumingReads(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    int a = ab[0];
    int b = ab[1];
    assertStatus(Status.OK, s.setProperty(p, b, RX, 10));
    assertEquals(10, s.getProperty(p, b, RX));
    assertEquals(0, s.getProperty(p, a, RX), "per end");
    assertLacks(S_READ_THRESHOLD, p, b, "nothing queued");

    s.writeOk(p, a, pattern(9, 1), 9);
    assertLacks(S_READ_THRESHOLD, p, b, "9 < 10");
    s.writeOk(p, a, pattern(1, 2), 1);
    assertHas(S_READ_THRESHOLD, p, b, "10 >= 10");
    assertLacks(S_READ_THRESHOLD, p, a, "only on the reading end");

    // Peek changes nothing.
    s.peek(p, b, 10);
    assertHas(S_READ_THRESHOLD, p, b, "after peek");

    assertEquals(1, s.read(p, b, 1).actual());
    assertLacks(S_READ_THRESHOLD, p, b, "9 < 10 after the read");
    s.writeOk(p, a, pattern(5, 3), 5);
    assertHas(S_READ_THRESHOLD, p, b, "14 >= 10");
    assertEquals(4, s.read(p, b, 4).actual());
    assertHas(S_READ_THRESHOLD, p, b, "still 10 >= 10");

    // Setting 0 disables it and clears the signal.
    assertStatus(Status.OK, s.setProperty(p, b, RX, 0));
    assertLacks(S_READ_THRESHOLD, p, b, "disabled");
    assertEquals(0, s.getProperty(p, b, RX));
    s.writeOk(p, a, pattern(50, 4), 50);
    assertLacks(S_READ_THRESHOLD, p, b, "disabled stays off");

    // Setting a value already met asserts the signal at once; one not met clears it.
    assertStatus(Status.OK, s.setProperty(p, b, RX, 60));
    assertHas(S_READ_THRESHOLD, p, b, "60 bytes queued, threshold 60");
    assertStatus(Status.OK, s.setProperty(p, b, RX, 61));
    assertLacks(S_READ_THRESHOLD, p, b, "60 bytes queued, threshold 61");
  }

  @Test
  void readThresholdLimits(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.DATAGRAM);
    assertStatus(Status.ERR_INVALID_ARGS, s.setProperty(p, ab[0], RX, MAX + 1L));
    assertEquals(0, s.getProperty(p, ab[0], RX), "unchanged");
    assertStatus(Status.OK, s.setProperty(p, ab[0], RX, MAX));
    assertEquals(MAX, s.getProperty(p, ab[0], RX));
    s.writeOk(p, ab[1], pattern(MAX, 1), MAX);
    assertHas(S_READ_THRESHOLD, p, ab[0], "a full socket meets the largest threshold");
  }

  @Test
  void writeThresholdFollowsThePeersFreeSpace(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    int a = ab[0];
    int b = ab[1];
    assertStatus(Status.OK, s.setProperty(p, a, TX, 100_000));
    assertEquals(100_000, s.getProperty(p, a, TX));
    assertHas(S_WRITE_THRESHOLD, p, a, "all free >= 100000, asserted at once");
    assertLacks(S_WRITE_THRESHOLD, p, b, "only on the writing end");

    s.writeOk(p, a, pattern(150_000, 1), 150_000);
    assertHas(S_WRITE_THRESHOLD, p, a, (MAX - 150_000) + " free");
    int toLeave99999 = MAX - 150_000 - 99_999;
    s.writeOk(p, a, pattern(toLeave99999, 2), toLeave99999);
    assertLacks(S_WRITE_THRESHOLD, p, a, "99999 free < 100000");

    // Peek changes nothing.
    s.peek(p, b, 10);
    assertLacks(S_WRITE_THRESHOLD, p, a, "after peek");

    assertEquals(1, s.read(p, b, 1).actual());
    assertHas(S_WRITE_THRESHOLD, p, a, "100000 free after the reader consumed one byte");

    assertStatus(Status.OK, s.setProperty(p, a, TX, 0));
    assertLacks(S_WRITE_THRESHOLD, p, a, "disabled");
    s.read(p, b, 1000);
    assertLacks(S_WRITE_THRESHOLD, p, a, "disabled stays off");

    // Setting a value not met clears it; lowering it below the free space asserts it.
    assertStatus(Status.OK, s.setProperty(p, a, TX, MAX));
    assertLacks(S_WRITE_THRESHOLD, p, a, "not all free");
    assertStatus(Status.OK, s.setProperty(p, a, TX, 1));
    assertHas(S_WRITE_THRESHOLD, p, a, "some free");
  }

  @Test
  void writeThresholdLimitsAndPeerClosed(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    assertStatus(Status.ERR_INVALID_ARGS, s.setProperty(p, ab[0], TX, MAX + 1L));
    assertStatus(Status.OK, s.setProperty(p, ab[0], TX, MAX));
    assertHas(S_WRITE_THRESHOLD, p, ab[0], "everything free");
    f.close(p, ab[1]);
    assertStatus(Status.ERR_PEER_CLOSED, s.setProperty(p, ab[0], TX, 5));
    // The read threshold is about this end's own buffer: still settable.
    assertStatus(Status.OK, s.setProperty(p, ab[0], RX, 5));
    assertEquals(5, s.getProperty(p, ab[0], RX));
  }

  @Test
  void thresholdsBelongToTheObjectNotTheHandle(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    int dup = f.duplicate(p, ab[1], Rights.SAME_RIGHTS);
    assertStatus(Status.OK, s.setProperty(p, ab[1], RX, 3));
    assertEquals(3, s.getProperty(p, dup, RX));
    s.writeOk(p, ab[0], pattern(3, 1), 3);
    assertEquals(sig(p, ab[1]), sig(p, dup));
    assertHas(S_READ_THRESHOLD, p, dup, "through the duplicate");
  }

  @Test
  void propertyCallChecks(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    ObjectSyscalls obj = f.kernel().object();
    for (int prop : new int[] {RX, TX}) {
      assertStatus(Status.ERR_BUFFER_TOO_SMALL, obj.getProperty(p, ab[0], prop, 7).status(), "value_size 7");
      assertStatus(Status.OK, obj.getProperty(p, ab[0], prop, 8).status(), "value_size 8");
      // A process handle has GET/SET_PROPERTY, so the type check is what fails.
      int child = f.kernel().process().create(p, "child", 0).procHandle();
      assertStatus(Status.ERR_WRONG_TYPE, obj.getProperty(p, child, prop, 8).status(), "get on a process");
      assertStatus(Status.ERR_WRONG_TYPE, s.setProperty(p, child, prop, 1), "set on a process");
      int noGet = f.duplicate(p, ab[0], Rights.DEFAULT_SOCKET & ~Rights.GET_PROPERTY);
      int noSet = f.duplicate(p, ab[0], Rights.DEFAULT_SOCKET & ~Rights.SET_PROPERTY);
      assertStatus(Status.ERR_ACCESS_DENIED, obj.getProperty(p, noGet, prop, 8).status());
      assertStatus(Status.ERR_ACCESS_DENIED, s.setProperty(p, noSet, prop, 1));
      assertEquals(0, s.getProperty(p, ab[0], prop), "the denied set changed nothing");
      assertStatus(Status.ERR_BAD_HANDLE, obj.getProperty(p, 0, prop, 8).status());
      assertStatus(Status.ERR_BAD_HANDLE, s.setProperty(p, 0, prop, 1));
    }
  }
}
