package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static dev.zxd.kernel.SocketOps.MAX;
import static dev.zxd.kernel.SocketOps.S_PEER_CLOSED;
import static dev.zxd.kernel.SocketOps.S_READABLE;
import static dev.zxd.kernel.SocketOps.S_WRITABLE;
import static dev.zxd.kernel.SocketOps.assertHas;
import static dev.zxd.kernel.SocketOps.assertLacks;
import static dev.zxd.kernel.SocketOps.assertSignals;
import static dev.zxd.kernel.SocketOps.bytes;
import static dev.zxd.kernel.SocketOps.pattern;
import static dev.zxd.kernel.SocketOps.sig;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import dev.zxd.kernel.SocketSyscalls.ReadResult;
import dev.zxd.kernel.SocketSyscalls.WriteResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** zx_socket_write / zx_socket_read on stream sockets: bytes, partial writes at capacity, peek, zero lengths. */
@ExtendWith(KernelExtension.class)
class SocketStreamTest {

  @Test
  void bytesFlowInOrderAcrossWritesAndPartialReads(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    int a = ab[0];
    int b = ab[1];
    assertLacks(S_READABLE, p, b, "empty");
    s.writeAll(p, a, "hello ");
    s.writeAll(p, a, "world");
    assertHas(S_READABLE, p, b, "after write");
    assertLacks(S_READABLE, p, a, "the writer's own end");
    assertEquals(11, s.queued(p, b));
    assertEquals("hel", s.readOk(p, b, 3));
    assertHas(S_READABLE, p, b, "data left");
    assertEquals("lo wo", s.readOk(p, b, 5), "a stream read crosses write boundaries");
    assertEquals("rld", s.readOk(p, b, 100), "a read gets min(len, queued)");
    assertLacks(S_READABLE, p, b, "drained");
    s.assertReadStatus(Status.ERR_SHOULD_WAIT, p, b, 100);

    // The other direction is independent.
    s.writeAll(p, b, "back");
    assertEquals("back", s.readOk(p, a, 100));
  }

  @Test
  void fillingToExactlyCapacityClearsWritableAndAReadRestoresIt(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    int a = ab[0];
    int b = ab[1];

    ByteString first = pattern(MAX - 1000, 1);
    s.writeOk(p, a, first, MAX - 1000);
    assertHas(S_WRITABLE, p, a, "1000 bytes free");

    // A write larger than the free space is partial: it writes exactly what fits.
    ByteString second = pattern(3000, 2);
    s.writeOk(p, a, second, 1000);
    assertEquals(MAX, s.queued(p, b));
    assertLacks(S_WRITABLE, p, a, "peer's buffer completely full");
    assertHas(S_WRITABLE, p, b, "the reader can still write the other way");

    // Nothing fits: SHOULD_WAIT, nothing written.
    WriteResult full = s.write(p, a, "x");
    assertStatus(Status.ERR_SHOULD_WAIT, full.status(), "write to a full socket");
    assertEquals(0, full.actual());
    assertEquals(MAX, s.queued(p, b));

    // The first consuming read restores WRITABLE.
    ReadResult r = s.read(p, b, MAX - 1000);
    assertStatus(Status.OK, r.status());
    assertEquals(first, r.bytes());
    assertHas(S_WRITABLE, p, a, "after the first consuming read");
    // The partial write queued the first 1000 bytes of `second`, nothing more.
    ReadResult rest = s.read(p, b, MAX);
    assertStatus(Status.OK, rest.status());
    assertEquals(second.substring(0, 1000), rest.bytes());
    assertLacks(S_READABLE, p, b, "drained");
  }

  @Test
  void oneWriteLargerThanTheSocketWritesTheCapacity(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    ByteString big = pattern(MAX + 5000, 3);
    s.writeOk(p, ab[0], big, MAX);
    assertLacks(S_WRITABLE, p, ab[0], "full");
    ReadResult r = s.read(p, ab[1], MAX + 5000);
    assertEquals(big.substring(0, MAX), r.bytes());
  }

  @Test
  void writableIsClearedOnlyWhenCompletelyFull(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    int a = ab[0];
    int b = ab[1];
    s.writeOk(p, a, pattern(MAX - 1, 4), MAX - 1);
    assertHas(S_WRITABLE, p, a, "one byte free");
    s.writeOk(p, a, bytes("zz"), 1);
    assertLacks(S_WRITABLE, p, a, "no byte free");

    // Neither a peek nor a zero-length read brings WRITABLE back; a consuming read of one byte does.
    assertStatus(Status.OK, s.peek(p, b, 10).status());
    assertLacks(S_WRITABLE, p, a, "after peek");
    ReadResult zero = s.read(p, b, 0);
    assertStatus(Status.OK, zero.status());
    assertLacks(S_WRITABLE, p, a, "after a zero-length read");
    assertEquals(1, s.read(p, b, 1).actual());
    assertHas(S_WRITABLE, p, a, "after a one-byte read");

    // And refilling that one byte clears it again.
    s.writeOk(p, a, bytes("yy"), 1);
    assertLacks(S_WRITABLE, p, a, "full again");
  }

  @Test
  void writableStaysClearedWhileDrainingUntilTheFirstConsumingReadOnly(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    s.writeOk(p, ab[0], pattern(MAX, 5), MAX);
    assertLacks(S_WRITABLE, p, ab[0], "full");
    s.read(p, ab[1], 10);
    assertHas(S_WRITABLE, p, ab[0], "after read");
    // WRITABLE is an edge set by the read that un-fills the buffer; later writes that do not fill it keep it.
    s.writeOk(p, ab[0], pattern(5, 6), 5);
    assertHas(S_WRITABLE, p, ab[0], "five bytes still free");
  }

  @Test
  void peekCopiesWithoutConsumingAndChangesNoSignal(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    int a = ab[0];
    int b = ab[1];
    s.writeAll(p, a, "ab");
    s.writeAll(p, a, "cdef");
    int before = sig(p, b);
    int writerBefore = sig(p, a);

    ReadResult r = s.peek(p, b, 3);
    assertStatus(Status.OK, r.status());
    assertEquals("abc", r.bytes().toStringUtf8(), "peek crosses write boundaries");
    assertEquals(3, r.actual());
    assertEquals("abcdef", s.peek(p, b, 100).bytes().toStringUtf8(), "peek again: same bytes, up to all");
    assertEquals(6, s.queued(p, b), "nothing consumed");
    assertEquals(before, sig(p, b));
    assertEquals(writerBefore, sig(p, a));

    // After a partial consuming read, peek starts where the reader is.
    assertEquals("a", s.readOk(p, b, 1));
    assertEquals("bcd", s.peek(p, b, 3).bytes().toStringUtf8());
    assertEquals("bcdef", s.readOk(p, b, 100));
    assertLacks(S_READABLE, p, b, "drained");

    // Peek on an empty socket fails as a read does.
    assertStatus(Status.ERR_SHOULD_WAIT, s.peek(p, b, 10).status());
  }

  @Test
  void zeroLengthReadWithDataQueuedIsOkAndConsumesNothing(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    s.writeAll(p, ab[0], "data");
    int before = sig(p, ab[1]);
    ReadResult r = s.read(p, ab[1], 0);
    assertStatus(Status.OK, r.status(), "zero-length read, data queued");
    assertEquals(0, r.actual());
    ReadResult peek0 = s.peek(p, ab[1], 0);
    assertStatus(Status.OK, peek0.status(), "zero-length peek, data queued");
    assertEquals(0, peek0.actual());
    assertEquals(4, s.queued(p, ab[1]));
    assertEquals(before, sig(p, ab[1]));
    assertEquals("data", s.readOk(p, ab[1], 10));
  }

  @Test
  void zeroLengthReadOnAnEmptySocketReportsWhyNothingCame(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    s.assertReadStatus(Status.ERR_SHOULD_WAIT, p, ab[1], 0);
    assertStatus(Status.OK, s.shutdown(p, ab[0], SocketSyscalls.SHUTDOWN_WRITE));
    s.assertReadStatus(Status.ERR_BAD_STATE, p, ab[1], 0);
    f.close(p, ab[0]);
    s.assertReadStatus(Status.ERR_PEER_CLOSED, p, ab[1], 0);
  }

  @Test
  void zeroLengthWriteIsOkAndQueuesNothing(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    int a = ab[0];
    int b = ab[1];
    WriteResult r = s.write(p, a, ByteString.EMPTY);
    assertStatus(Status.OK, r.status(), "zero-length write");
    assertEquals(0, r.actual());
    assertLacks(S_READABLE, p, b, "nothing queued");
    assertEquals(0, s.queued(p, b));
    s.assertReadStatus(Status.ERR_SHOULD_WAIT, p, b, 10);

    // Even on a full socket (the length check comes before the space check).
    s.writeOk(p, a, pattern(MAX, 7), MAX);
    r = s.write(p, a, ByteString.EMPTY);
    assertStatus(Status.OK, r.status(), "zero-length write to a full socket");
    assertEquals(0, r.actual());

    // But after the peer and shutdown checks.
    int[] cd = s.socket(p, Socket.STREAM);
    assertStatus(Status.OK, s.shutdown(p, cd[0], SocketSyscalls.SHUTDOWN_WRITE));
    assertStatus(Status.ERR_BAD_STATE, s.write(p, cd[0], ByteString.EMPTY).status(), "zero write, shut down");
    f.close(p, cd[1]);
    assertStatus(Status.ERR_PEER_CLOSED, s.write(p, cd[0], ByteString.EMPTY).status(), "zero write, peer gone");
  }

  @Test
  void peerClosedIsReportedOnlyAfterQueuedDataIsDrained(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    int a = ab[0];
    int b = ab[1];
    s.writeAll(p, a, "last words");
    f.close(p, a);
    assertSignals(S_READABLE | S_PEER_CLOSED, p, b, "peer gone, data queued (WRITABLE cleared)");
    assertEquals("last", s.readOk(p, b, 4));
    assertEquals(" words", s.readOk(p, b, 100));
    assertSignals(S_PEER_CLOSED, p, b, "drained");
    s.assertReadStatus(Status.ERR_PEER_CLOSED, p, b, 100);
    assertStatus(Status.ERR_PEER_CLOSED, s.write(p, b, "x").status(), "write to a closed peer");
  }

  @Test
  void peerClosedWhenTheWriterProcessDiesAfterQueuedData(KernelFixture f) {
    Process writer = f.process();
    Process reader = f.process();
    SocketOps s = new SocketOps(f);
    int[] cd = s.socket(writer, Socket.STREAM);
    // Hand the reading end to the other process (WSADuplicateSocket style), then drop the writer's copy.
    SocketSyscalls.TokenResult t = f.kernel().socket().duplicateForProcess(writer, cd[1], reader.koid());
    assertStatus(Status.OK, t.status());
    HandleResult redeemed = f.kernel().socket().createFromProtocolInfo(reader, t.info().token());
    assertStatus(Status.OK, redeemed.status());
    int d = redeemed.out();
    f.close(writer, cd[1]);
    s.writeAll(writer, cd[0], "bye");
    writer.kill(Process.RETCODE_KILLED);
    assertSignals(S_PEER_CLOSED | S_READABLE, reader, d, "writer died with data queued");
    assertEquals("bye", s.readOk(reader, d, 10));
    s.assertReadStatus(Status.ERR_PEER_CLOSED, reader, d, 10);
  }

  @Test
  void handleChecksAndOptions(KernelFixture f) {
    Process p = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(p, Socket.STREAM);
    int a = ab[0];
    int b = ab[1];
    int[] ch = f.channel(p);
    SocketSyscalls sys = f.kernel().socket();

    // Unknown options: INVALID_ARGS, before the handle is even looked up.
    assertStatus(Status.ERR_INVALID_ARGS, sys.write(p, a, 1, bytes("x")).status(), "write options 1");
    assertStatus(Status.ERR_INVALID_ARGS, sys.write(p, a, SocketSyscalls.PEEK, bytes("x")).status(),
        "PEEK is a read option");
    assertStatus(Status.ERR_INVALID_ARGS, sys.write(p, 0, 1, bytes("x")).status(), "options before handle");
    assertStatus(Status.ERR_INVALID_ARGS, sys.read(p, b, 1, 10).status(), "read options 1");
    assertStatus(Status.ERR_INVALID_ARGS, sys.read(p, b, 16, 10).status(), "read options 16");
    assertStatus(Status.ERR_INVALID_ARGS, sys.read(p, 0, 16, 10).status(), "options before handle");

    assertStatus(Status.ERR_BAD_HANDLE, sys.write(p, 0, 0, bytes("x")).status());
    assertStatus(Status.ERR_BAD_HANDLE, sys.read(p, 0, 0, 10).status());
    assertStatus(Status.ERR_WRONG_TYPE, sys.write(p, ch[0], 0, bytes("x")).status());
    assertStatus(Status.ERR_WRONG_TYPE, sys.read(p, ch[0], 0, 10).status());

    int aNoWrite = f.duplicate(p, a, Rights.DEFAULT_SOCKET & ~Rights.WRITE);
    int bNoRead = f.duplicate(p, b, Rights.DEFAULT_SOCKET & ~Rights.READ);
    assertStatus(Status.ERR_ACCESS_DENIED, sys.write(p, aNoWrite, 0, bytes("x")).status());
    assertStatus(Status.ERR_ACCESS_DENIED, sys.read(p, bNoRead, 0, 10).status());
    assertEquals(0, s.queued(p, b), "the denied write queued nothing");

    // A handle from another process is BAD_HANDLE here.
    Process other = f.process();
    assertStatus(Status.ERR_BAD_HANDLE, sys.write(other, a, 0, bytes("x")).status());
    assertStatus(Status.ERR_BAD_HANDLE, sys.read(other, b, 0, 10).status());
  }
}
