package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static dev.zxd.kernel.SocketOps.MAX;
import static dev.zxd.kernel.SocketOps.pattern;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** zx_object_get_info(ZX_INFO_SOCKET). */
@ExtendWith(KernelExtension.class)
class SocketInfoTest {

  private static void assertInfo(InfoRecord.SocketInfo info, int options, long rxSize, long rxAvailable,
      long txMax, long txSize) {
    assertEquals(options, info.options(), "options");
    assertEquals(MAX, info.rxBufMax(), "rx_buf_max");
    assertEquals(rxSize, info.rxBufSize(), "rx_buf_size");
    assertEquals(rxAvailable, info.rxBufAvailable(), "rx_buf_available");
    assertEquals(txMax, info.txBufMax(), "tx_buf_max");
    assertEquals(txSize, info.txBufSize(), "tx_buf_size");
  }

  @Test
  void streamSocketFieldsFollowTheQueues(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    int a = ab[0];
    int b = ab[1];
    assertInfo(s.info(p, a), 0, 0, 0, MAX, 0);
    assertInfo(s.info(p, b), 0, 0, 0, MAX, 0);

    s.writeOk(p, a, pattern(100, 1), 100);
    s.writeOk(p, a, pattern(50, 2), 50);
    s.writeOk(p, b, pattern(7, 3), 7);
    assertInfo(s.info(p, a), 0, 7, 7, MAX, 150);
    assertInfo(s.info(p, b), 0, 150, 150, MAX, 7);

    s.read(p, b, 120);
    assertInfo(s.info(p, b), 0, 30, 30, MAX, 7);
    assertInfo(s.info(p, a), 0, 7, 7, MAX, 30);
    s.peek(p, b, 30);
    assertInfo(s.info(p, b), 0, 30, 30, MAX, 7);
  }

  @Test
  void datagramAvailableIsTheFirstDatagramsSize(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int options = Socket.DATAGRAM | Socket.HAS_CONTROL | Socket.HAS_ACCEPT;
    int[] ab = s.socket(p, options);
    assertInfo(s.info(p, ab[1]), options, 0, 0, MAX, 0);
    s.writeOk(p, ab[0], pattern(10, 1), 10);
    s.writeOk(p, ab[0], pattern(300, 2), 300);
    assertInfo(s.info(p, ab[1]), options, 310, 10, MAX, 0);
    assertInfo(s.info(p, ab[0]), options, 0, 0, MAX, 310);
    s.read(p, ab[1], 3); // truncates the first datagram
    assertInfo(s.info(p, ab[1]), options, 300, 300, MAX, 0);
    // A control message is not data.
    assertStatus(Status.OK, s.writeControl(p, ab[0], SocketOps.bytes("ctl")).status());
    assertInfo(s.info(p, ab[1]), options, 300, 300, MAX, 0);
  }

  @Test
  void afterThePeerClosedTheTxFieldsAreZeroAndRxKeepsItsData(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    s.writeOk(p, ab[0], pattern(40, 1), 40);
    s.writeOk(p, ab[1], pattern(25, 2), 25);
    f.close(p, ab[0]);
    assertInfo(s.info(p, ab[1]), 0, 40, 40, 0, 0);
    s.read(p, ab[1], 15);
    assertInfo(s.info(p, ab[1]), 0, 25, 25, 0, 0);
  }

  @Test
  void infoCallChecks(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    ObjectSyscalls obj = f.kernel().object();
    ObjectSyscalls.InfoResult small = obj.getInfo(p, ab[0], ObjectSyscalls.INFO_SOCKET, 47);
    assertStatus(Status.ERR_BUFFER_TOO_SMALL, small.status(), "47-byte buffer");
    assertEquals(1, small.avail(), "avail tells there is one record");
    ObjectSyscalls.InfoResult ok = obj.getInfo(p, ab[0], ObjectSyscalls.INFO_SOCKET, 48);
    assertStatus(Status.OK, ok.status());
    assertEquals(1, ok.actual());
    assertEquals(1, ok.avail());

    int ev = f.event(p);
    assertStatus(Status.ERR_WRONG_TYPE, obj.getInfo(p, ev, ObjectSyscalls.INFO_SOCKET, 48).status());
    int noInspect = f.duplicate(p, ab[0], Rights.DEFAULT_SOCKET & ~Rights.INSPECT);
    assertStatus(Status.ERR_ACCESS_DENIED, obj.getInfo(p, noInspect, ObjectSyscalls.INFO_SOCKET, 48).status());
    assertStatus(Status.ERR_BAD_HANDLE, obj.getInfo(p, 0, ObjectSyscalls.INFO_SOCKET, 48).status());
  }
}
