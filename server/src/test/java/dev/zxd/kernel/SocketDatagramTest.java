package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static dev.zxd.kernel.SocketOps.MAX;
import static dev.zxd.kernel.SocketOps.S_READABLE;
import static dev.zxd.kernel.SocketOps.S_WRITABLE;
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

/** Datagram sockets: boundaries, truncation, all-or-nothing writes, OUT_OF_RANGE, peek, zero lengths. */
@ExtendWith(KernelExtension.class)
class SocketDatagramTest {

  @Test
  void eachReadReturnsOneWholeDatagram(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.DATAGRAM);
    s.writeAll(p, ab[0], "one");
    s.writeAll(p, ab[0], "three");
    assertEquals(8, s.queued(p, ab[1]));
    assertEquals("one", s.readOk(p, ab[1], 100), "one datagram, not both");
    assertHas(S_READABLE, p, ab[1], "one datagram left");
    assertEquals("three", s.readOk(p, ab[1], 100));
    assertLacks(S_READABLE, p, ab[1], "drained");
    s.assertReadStatus(Status.ERR_SHOULD_WAIT, p, ab[1], 100);
  }

  @Test
  void aShortReadTruncatesTheDatagramAndDiscardsTheRest(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.DATAGRAM);
    s.writeAll(p, ab[0], "abcdefgh");
    s.writeAll(p, ab[0], "XY");
    ReadResult r = s.read(p, ab[1], 3);
    assertStatus(Status.OK, r.status());
    assertEquals("abc", r.bytes().toStringUtf8());
    assertEquals(3, r.actual(), "actual is the bytes copied");
    assertEquals(2, s.queued(p, ab[1]), "the other 5 bytes of the datagram are gone");
    assertEquals("XY", s.readOk(p, ab[1], 100), "the next read starts at the next datagram");
    s.assertReadStatus(Status.ERR_SHOULD_WAIT, p, ab[1], 100);
  }

  @Test
  void aDatagramLargerThanTheSocketIsOutOfRange(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.DATAGRAM);
    WriteResult r = s.write(p, ab[0], pattern(MAX + 1, 1));
    assertStatus(Status.ERR_OUT_OF_RANGE, r.status(), "datagram of 257025 bytes");
    assertEquals(0, r.actual());
    assertEquals(0, s.queued(p, ab[1]), "nothing queued");
    assertLacks(S_READABLE, p, ab[1], "nothing queued");
    assertHas(S_WRITABLE, p, ab[0], "still writable");

    // OUT_OF_RANGE even when the socket is partly full (it is about the size, not the free space).
    s.writeAll(p, ab[0], "x");
    assertStatus(Status.ERR_OUT_OF_RANGE, s.write(p, ab[0], pattern(MAX + 1, 2)).status());

    // Exactly the capacity fits in an empty socket, and fills it.
    assertEquals("x", s.readOk(p, ab[1], 10));
    ByteString whole = pattern(MAX, 3);
    s.writeOk(p, ab[0], whole, MAX);
    assertLacks(S_WRITABLE, p, ab[0], "full");
    ReadResult back = s.read(p, ab[1], MAX);
    assertEquals(whole, back.bytes());
    assertHas(S_WRITABLE, p, ab[0], "read restored WRITABLE");
  }

  @Test
  void aDatagramLargerThanTheFreeSpaceIsShouldWaitAndWritesNothing(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.DATAGRAM);
    int a = ab[0];
    int b = ab[1];
    s.writeOk(p, a, pattern(200_000, 1), 200_000);
    int free = MAX - 200_000; // 57 024
    WriteResult r = s.write(p, a, pattern(free + 1, 2));
    assertStatus(Status.ERR_SHOULD_WAIT, r.status(), "datagram one byte over the free space");
    assertEquals(0, r.actual());
    assertEquals(200_000, s.queued(p, b), "no partial datagram");
    assertHas(S_WRITABLE, p, a, "not full, so still WRITABLE");

    ByteString exact = pattern(free, 3);
    s.writeOk(p, a, exact, free);
    assertEquals(MAX, s.queued(p, b));
    assertLacks(S_WRITABLE, p, a, "completely full");
    assertStatus(Status.ERR_SHOULD_WAIT, s.write(p, a, "z").status(), "one byte to a full socket");

    assertEquals(200_000, s.read(p, b, MAX).actual());
    assertHas(S_WRITABLE, p, a, "after the consuming read");
    assertEquals(exact, s.read(p, b, MAX).bytes());
  }

  @Test
  void peekReturnsTheFirstDatagramWithoutConsumingIt(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.DATAGRAM);
    s.writeAll(p, ab[0], "abcdef");
    s.writeAll(p, ab[0], "gh");
    int before = sig(p, ab[1]);
    ReadResult r = s.peek(p, ab[1], 3);
    assertStatus(Status.OK, r.status());
    assertEquals("abc", r.bytes().toStringUtf8());
    assertEquals(3, r.actual());
    // The truncated peek discarded nothing.
    assertEquals("abcdef", s.peek(p, ab[1], 100).bytes().toStringUtf8(), "peek never spans datagrams");
    assertEquals(8, s.queued(p, ab[1]));
    assertEquals(before, sig(p, ab[1]));
    assertEquals("abcdef", s.readOk(p, ab[1], 100));
    assertEquals("gh", s.peek(p, ab[1], 100).bytes().toStringUtf8());
    assertEquals("gh", s.readOk(p, ab[1], 100));
  }

  @Test
  void zeroLengthReadLeavesTheDatagramWhole(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.DATAGRAM);
    s.writeAll(p, ab[0], "whole");
    ReadResult r = s.read(p, ab[1], 0);
    assertStatus(Status.OK, r.status(), "zero-length read of a datagram socket with data");
    assertEquals(0, r.actual());
    assertEquals(5, s.queued(p, ab[1]), "nothing consumed, nothing discarded");
    assertHas(S_READABLE, p, ab[1], "still readable");
    assertEquals("whole", s.readOk(p, ab[1], 100));
  }

  @Test
  void zeroLengthWriteQueuesNoDatagram(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.DATAGRAM);
    WriteResult r = s.write(p, ab[0], ByteString.EMPTY);
    assertStatus(Status.OK, r.status());
    assertEquals(0, r.actual());
    assertLacks(S_READABLE, p, ab[1], "no empty datagram");
    s.assertReadStatus(Status.ERR_SHOULD_WAIT, p, ab[1], 10);
    // An empty write between two datagrams does not show up between them.
    s.writeAll(p, ab[0], "1");
    s.write(p, ab[0], ByteString.EMPTY);
    s.writeAll(p, ab[0], "2");
    assertEquals("1", s.readOk(p, ab[1], 10));
    assertEquals("2", s.readOk(p, ab[1], 10));
    s.assertReadStatus(Status.ERR_SHOULD_WAIT, p, ab[1], 10);
  }

  @Test
  void datagramsQueuedBeforeThePeerClosedAreStillDelivered(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.DATAGRAM);
    s.writeAll(p, ab[0], "d1");
    s.writeAll(p, ab[0], "d2");
    f.close(p, ab[0]);
    assertEquals("d1", s.readOk(p, ab[1], 10));
    assertEquals("d", s.readOk(p, ab[1], 1));
    s.assertReadStatus(Status.ERR_PEER_CLOSED, p, ab[1], 10);
    assertStatus(Status.ERR_PEER_CLOSED, s.write(p, ab[1], bytes("x")).status());
  }
}
