package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static dev.zxd.kernel.KernelFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.zxd.kernel.ChannelSyscalls.CallResult;
import dev.zxd.kernel.ChannelSyscalls.ReadResult;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** zx_channel_call: transaction ids, reply routing, and every way a call ends. */
@ExtendWith(KernelExtension.class)
class ChannelCallTest {
  private static final ByteString REQUEST = bytes("\0\0\0\0request");

  private static int txidOf(ByteString b) {
    return (b.byteAt(0) & 0xFF) | (b.byteAt(1) & 0xFF) << 8 | (b.byteAt(2) & 0xFF) << 16 | (b.byteAt(3) & 0xFF) << 24;
  }

  private static ByteString withTxid(int txid, String rest) {
    byte[] id = {(byte) txid, (byte) (txid >>> 8), (byte) (txid >>> 16), (byte) (txid >>> 24)};
    return ByteString.copyFrom(id).concat(bytes(rest));
  }

  private static Outcome<CallResult> call(KernelFixture f, Process p, int h, long deadline, int... handles) {
    Outcome<CallResult> out = new Outcome<>();
    f.kernel().channel().call(p, h, 0, deadline, REQUEST, handles, KernelFixture.ANY_BYTES,
        KernelFixture.ANY_HANDLES, out);
    return out;
  }

  @Test
  void requestIsStampedAndTheReplyGoesStraightToTheCaller(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    Outcome<CallResult> out = call(f, p, ch[0], MonotonicClock.INFINITE);
    assertFalse(out.isDone());
    ReadResult request = f.readOk(p, ch[1]);
    int txid = txidOf(request.bytes());
    assertTrue(Integer.compareUnsigned(txid, 0x80000000) >= 0, "txid " + KernelFixture.hex(txid));
    assertEquals(REQUEST.substring(4), request.bytes().substring(4), "only the first 4 bytes are overwritten");
    int e = f.event(p);
    long koid = f.koid(p, e);
    f.writeOk(p, ch[1], ""); // a stray message, too short to carry a txid
    assertStatus(Status.OK, f.write(p, ch[1], withTxid(txid, "reply"), e));
    CallResult r = out.get();
    assertStatus(Status.OK, r.status());
    assertEquals(withTxid(txid, "reply"), r.bytes());
    assertEquals(9, r.actualBytes());
    assertEquals(1, r.actualHandles());
    assertEquals(koid, f.koid(p, r.handles()[0]));
    // The empty stray message (no txid) was queued normally; the reply never was.
    ReadResult stray = f.readOk(p, ch[0]);
    assertEquals(0, stray.actualBytes());
    assertStatus(Status.ERR_SHOULD_WAIT, f.read(p, ch[0]).status());
    assertEquals(0, f.object(p, ch[0]).observerCount());
  }

  @Test
  void replyIsNeverQueuedNorMakesTheCallerReadable(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    Outcome<Integer> readable = new Outcome<>();
    f.kernel().object().waitOne(p, ch[0], Signals.CHANNEL_READABLE, MonotonicClock.INFINITE,
        w -> readable.accept(w.status()));
    Outcome<CallResult> out = call(f, p, ch[0], MonotonicClock.INFINITE);
    int txid = txidOf(f.readOk(p, ch[1]).bytes());
    assertStatus(Status.OK, f.write(p, ch[1], withTxid(txid, "")));
    assertStatus(Status.OK, out.get().status());
    assertFalse(readable.isDone(), "READABLE was never asserted");
    assertEquals(0, ((Channel) f.object(p, ch[0])).queuedMessages());
    f.close(p, ch[0]);
    assertStatus(Status.ERR_CANCELED, readable.get());
  }

  @Test
  void concurrentCallsGetDistinctTxidsAndRepliesAreRoutedOutOfOrder(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    Outcome<CallResult> first = call(f, p, ch[0], MonotonicClock.INFINITE);
    Outcome<CallResult> second = call(f, p, ch[0], MonotonicClock.INFINITE);
    int t1 = txidOf(f.readOk(p, ch[1]).bytes());
    int t2 = txidOf(f.readOk(p, ch[1]).bytes());
    assertNotEquals(t1, t2);
    assertStatus(Status.OK, f.write(p, ch[1], withTxid(t2, "for the second")));
    assertEquals(withTxid(t2, "for the second"), second.get().bytes());
    assertFalse(first.isDone());
    assertStatus(Status.OK, f.write(p, ch[1], withTxid(t1, "for the first")));
    assertEquals(withTxid(t1, "for the first"), first.get().bytes());
  }

  @Test
  void pastDeadlineTimesOutAndTheLateReplyIsQueued(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    Outcome<CallResult> out = call(f, p, ch[0], f.past());
    assertStatus(Status.ERR_TIMED_OUT, out.get().status());
    assertEquals(0, f.object(p, ch[0]).observerCount());
    ReadResult request = f.readOk(p, ch[1]);
    int txid = txidOf(request.bytes());
    assertStatus(Status.OK, f.write(p, ch[1], withTxid(txid, "late")));
    assertEquals(withTxid(txid, "late"), f.readOk(p, ch[0]).bytes());
  }

  @Test
  void futureDeadlineTimesOut(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    long start = System.nanoTime();
    Outcome<CallResult> out = call(f, p, ch[0], f.after(Duration.ofMillis(50)));
    assertStatus(Status.ERR_TIMED_OUT, out.get().status());
    assertTrue(System.nanoTime() - start >= Duration.ofMillis(50).toNanos(), "not before the deadline");
  }

  @Test
  void peerClosingEndsTheCallWithPeerClosed(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    Outcome<CallResult> out = call(f, p, ch[0], MonotonicClock.INFINITE);
    f.close(p, ch[1]);
    assertStatus(Status.ERR_PEER_CLOSED, out.get().status());
    assertEquals(0, f.object(p, ch[0]).observerCount());
  }

  @Test
  void closingTheCallersHandleCancelsTheCall(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    Outcome<CallResult> out = call(f, p, ch[0], MonotonicClock.INFINITE);
    f.close(p, ch[0]);
    assertStatus(Status.ERR_CANCELED, out.get().status());
  }

  @Test
  void killingTheCallersProcessCancelsTheCall(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    ProcessSyscalls.CreateResult child = f.kernel().process().create(p, "caller", 0);
    assertStatus(Status.OK, f.kernel().process().start(p, child.procHandle(), ch[1]));
    Outcome<Process.StartupInfo> started = new Outcome<>();
    child.process().whenStarted(started);
    Outcome<CallResult> out = call(f, child.process(), started.get().arg1(), MonotonicClock.INFINITE);
    assertEquals(REQUEST.substring(4), f.readOk(p, ch[0]).bytes().substring(4));
    assertStatus(Status.OK, f.kernel().process().kill(p, child.procHandle()));
    assertStatus(Status.ERR_CANCELED, out.get().status());
    assertStatus(Status.ERR_PEER_CLOSED, f.write(p, ch[0], withTxid(0x80000000, "too late")));
  }

  @Test
  void replyTooBigIsBufferTooSmallAndDiscarded(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int[] carried = f.channel(p);
    Outcome<CallResult> out = new Outcome<>();
    f.kernel().channel().call(p, ch[0], 0, MonotonicClock.INFINITE, REQUEST, new int[0], 8, 0, out);
    int txid = txidOf(f.readOk(p, ch[1]).bytes());
    assertStatus(Status.OK, f.write(p, ch[1], withTxid(txid, "abcd"), carried[0]));
    CallResult r = out.get();
    assertStatus(Status.ERR_BUFFER_TOO_SMALL, r.status());
    assertEquals(0, r.actualBytes(), "actual sizes are not reported for a call");
    assertEquals(0, r.actualHandles());
    assertEquals(Signals.CHANNEL_PEER_CLOSED, f.signals(p, carried[1]), "the reply's handles were closed");
    assertStatus(Status.ERR_SHOULD_WAIT, f.read(p, ch[0]).status(), "and the reply is not queued");
  }

  @Test
  void callToClosedPeerIsPeerClosedAndConsumesHandles(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    f.close(p, ch[1]);
    int e = f.event(p);
    Outcome<CallResult> out = call(f, p, ch[0], MonotonicClock.INFINITE, e);
    assertStatus(Status.ERR_PEER_CLOSED, out.now().status());
    f.assertGone(p, e);
  }

  @Test
  void handlesTravelWithTheRequest(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int e = f.event(p);
    long koid = f.koid(p, e);
    Outcome<CallResult> out = call(f, p, ch[0], MonotonicClock.INFINITE, e);
    f.assertGone(p, e);
    ReadResult request = f.readOk(p, ch[1]);
    assertEquals(koid, f.koid(p, request.handles()[0]));
    assertStatus(Status.OK, f.write(p, ch[1], withTxid(txidOf(request.bytes()), "")));
    assertStatus(Status.OK, out.get().status());
  }

  @Test
  void abandonedCallLeavesNoObserverAndItsReplyIsQueued(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    Outcome<CallResult> out = new Outcome<>();
    Runnable abandon = f.kernel().channel().call(p, ch[0], 0, MonotonicClock.INFINITE, REQUEST, new int[0],
        100, 0, out);
    assertEquals(1, f.object(p, ch[0]).observerCount());
    abandon.run();
    assertEquals(0, f.object(p, ch[0]).observerCount());
    int txid = txidOf(f.readOk(p, ch[1]).bytes());
    assertStatus(Status.OK, f.write(p, ch[1], withTxid(txid, "nobody waits")));
    assertEquals(withTxid(txid, "nobody waits"), f.readOk(p, ch[0]).bytes());
    assertFalse(out.isDone(), "an abandoned call is never completed");
  }

  // ---- errors, in check order; the request's handles are consumed on every one ----

  @Test
  void shortRequestOrOptionsAreInvalidArgsBeforeTheLookup(KernelFixture f) {
    Process p = f.process();
    int e1 = f.event(p);
    Outcome<CallResult> shortBytes = new Outcome<>();
    f.kernel().channel().call(p, 0x4447, 0, MonotonicClock.INFINITE, bytes("abc"), new int[] {e1}, 10, 0,
        shortBytes);
    assertStatus(Status.ERR_INVALID_ARGS, shortBytes.now().status());
    f.assertGone(p, e1);
    int e2 = f.event(p);
    Outcome<CallResult> options = new Outcome<>();
    f.kernel().channel().call(p, 0x4447, 1, MonotonicClock.INFINITE, REQUEST, new int[] {e2}, 10, 0, options);
    assertStatus(Status.ERR_INVALID_ARGS, options.now().status());
    f.assertGone(p, e2);
  }

  @Test
  void callNeedsReadAndWrite(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int writeOnly = f.replace(p, ch[0], Rights.DEFAULT_CHANNEL & ~Rights.READ);
    int e = f.event(p);
    Outcome<CallResult> out = call(f, p, writeOnly, MonotonicClock.INFINITE, e);
    assertStatus(Status.ERR_ACCESS_DENIED, out.now().status());
    f.assertGone(p, e);
    assertStatus(Status.ERR_SHOULD_WAIT, f.read(p, ch[1]).status());
  }

  @Test
  void callOnAnEventIsWrongType(KernelFixture f) {
    Process p = f.process();
    int ev = f.replace(p, f.event(p), Rights.NONE);
    assertStatus(Status.ERR_WRONG_TYPE, call(f, p, ev, MonotonicClock.INFINITE).now().status());
    assertStatus(Status.ERR_BAD_HANDLE, call(f, p, 0, MonotonicClock.INFINITE).now().status());
  }

  @Test
  void perHandleErrorsAndTooManyHandles(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int e = f.event(p);
    assertStatus(Status.ERR_BAD_HANDLE, call(f, p, ch[0], MonotonicClock.INFINITE, e, 0x77).now().status());
    f.assertGone(p, e);
    int[] many = new int[Limits.CHANNEL_MAX_MSG_HANDLES + 1];
    for (int i = 0; i < many.length; i++) {
      many[i] = f.event(p);
    }
    assertStatus(Status.ERR_OUT_OF_RANGE, call(f, p, ch[0], MonotonicClock.INFINITE, many).now().status());
    for (int h : many) {
      f.assertGone(p, h);
    }
    assertStatus(Status.ERR_NOT_SUPPORTED, call(f, p, ch[0], MonotonicClock.INFINITE, ch[0]).now().status());
    assertEquals(Signals.CHANNEL_PEER_CLOSED, f.signals(p, ch[1]));
    assertStatus(Status.ERR_PEER_CLOSED, f.read(p, ch[1]).status(), "no request was ever queued");
  }
}
