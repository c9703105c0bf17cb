package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static dev.zxd.kernel.KernelFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.zxd.kernel.ChannelSyscalls.Iovec;
import dev.zxd.kernel.ChannelSyscalls.ReadResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** zx_channel_create / write / read / read_etc, and what closing an endpoint does to its queue. */
@ExtendWith(KernelExtension.class)
class ChannelReadWriteTest {

  // ---- create ----

  @Test
  void createRejectsOptions(KernelFixture f) {
    Process p = f.process();
    HandlePairResult r = f.kernel().channel().create(p, 1);
    assertStatus(Status.ERR_INVALID_ARGS, r.status());
    assertEquals(0, r.out0());
    assertEquals(0, r.out1());
    assertEquals(0, p.handleTableSize());
  }

  @Test
  void createGivesTwoWritableEndsWithDefaultRights(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    assertNotEquals(ch[0], ch[1]);
    assertEquals(0xF00E, Rights.DEFAULT_CHANNEL);
    assertEquals(0xF00E, f.rights(p, ch[0]));
    assertEquals(0xF00E, f.rights(p, ch[1]));
    assertEquals(Signals.CHANNEL_WRITABLE, f.signals(p, ch[0]));
    assertEquals(Signals.CHANNEL_WRITABLE, f.signals(p, ch[1]));
    KernelObject a = f.object(p, ch[0]);
    KernelObject b = f.object(p, ch[1]);
    assertEquals(ObjectType.CHANNEL, a.type());
    assertEquals(b.koid(), a.relatedKoid());
    assertEquals(a.koid(), b.relatedKoid());
  }

  // ---- write / read ----

  @Test
  void messagesArriveInOrderAndReadableFollowsTheQueue(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    f.writeOk(p, ch[0], "one");
    f.writeOk(p, ch[0], "two");
    assertEquals(Signals.CHANNEL_WRITABLE | Signals.CHANNEL_READABLE, f.signals(p, ch[1]));
    assertEquals(Signals.CHANNEL_WRITABLE, f.signals(p, ch[0]), "the writer's own end is not readable");
    ReadResult first = f.readOk(p, ch[1]);
    assertEquals(bytes("one"), first.bytes());
    assertEquals(3, first.actualBytes());
    assertEquals(0, first.actualHandles());
    assertTrue((f.signals(p, ch[1]) & Signals.CHANNEL_READABLE) != 0, "one message still queued");
    assertEquals(bytes("two"), f.readOk(p, ch[1]).bytes());
    assertEquals(Signals.CHANNEL_WRITABLE, f.signals(p, ch[1]), "READABLE cleared with the last message");
    assertStatus(Status.ERR_SHOULD_WAIT, f.read(p, ch[1]).status());
  }

  @Test
  void bothDirectionsAreIndependent(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    f.writeOk(p, ch[0], "a->b");
    f.writeOk(p, ch[1], "b->a");
    assertEquals(bytes("b->a"), f.readOk(p, ch[0]).bytes());
    assertEquals(bytes("a->b"), f.readOk(p, ch[1]).bytes());
  }

  @Test
  void emptyMessageIsLegal(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    f.writeOk(p, ch[0], "");
    assertTrue((f.signals(p, ch[1]) & Signals.CHANNEL_READABLE) != 0);
    ReadResult r = f.kernel().channel().read(p, ch[1], 0, 0, 0);
    assertStatus(Status.OK, r.status());
    assertEquals(0, r.actualBytes());
    assertEquals(0, r.actualHandles());
  }

  @Test
  void maximumSizedMessageFitsAndOneByteMoreIsOutOfRange(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    ByteString max = ByteString.copyFrom(new byte[Limits.CHANNEL_MAX_MSG_BYTES]);
    assertStatus(Status.OK, f.write(p, ch[0], max));
    ByteString tooBig = ByteString.copyFrom(new byte[Limits.CHANNEL_MAX_MSG_BYTES + 1]);
    assertStatus(Status.ERR_OUT_OF_RANGE, f.write(p, ch[0], tooBig));
    assertEquals(Limits.CHANNEL_MAX_MSG_BYTES, f.readOk(p, ch[1]).actualBytes());
    assertStatus(Status.ERR_SHOULD_WAIT, f.read(p, ch[1]).status(), "the oversized message was not queued");
  }

  @Test
  void handlesTravelWithNewValuesAndTheirRights(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int e = f.event(p);
    int reduced = f.duplicate(p, e, Rights.TRANSFER | Rights.WAIT);
    long koid = f.koid(p, e);
    f.writeOk(p, ch[0], "payload", e, reduced);
    f.assertGone(p, e);
    f.assertGone(p, reduced);
    assertEquals(2, f.kernel().objects().get(koid).handleCount(), "handles in a queued message still count");
    ReadResult r = f.readOk(p, ch[1]);
    assertEquals(bytes("payload"), r.bytes());
    assertEquals(2, r.actualHandles());
    assertEquals(2, r.handles().length);
    assertArrayEquals(new int[] {ObjectType.EVENT, ObjectType.EVENT}, r.types());
    assertArrayEquals(new int[] {Rights.DEFAULT_EVENT, Rights.TRANSFER | Rights.WAIT}, r.rights());
    assertNotEquals(r.handles()[0], r.handles()[1]);
    for (int v : r.handles()) {
      assertEquals(koid, f.koid(p, v));
    }
    assertEquals(Rights.DEFAULT_EVENT, f.rights(p, r.handles()[0]));
    assertEquals(Rights.TRANSFER | Rights.WAIT, f.rights(p, r.handles()[1]));
    assertEquals(2, f.object(p, r.handles()[0]).handleCount());
  }

  @Test
  void handlesMoveBetweenProcesses(KernelFixture f) {
    Process p = f.process();
    int[] pc = f.channel(p);
    // The way into another process: start a child with one end of a channel as its arg1.
    ProcessSyscalls.CreateResult child = f.kernel().process().create(p, "child", 0);
    assertStatus(Status.OK, child.status());
    assertStatus(Status.OK, f.kernel().process().start(p, child.procHandle(), pc[1]));
    Process c = child.process();
    Outcome<Process.StartupInfo> started = new Outcome<>();
    c.whenStarted(started);
    int cEnd = started.get().arg1();
    int e = f.event(p);
    long koid = f.koid(p, e);
    f.writeOk(p, pc[0], "event for you", e);
    f.assertGone(p, e);
    ReadResult r = f.readOk(c, cEnd);
    assertEquals(1, r.handles().length);
    assertEquals(koid, f.koid(c, r.handles()[0]));
    assertEquals(1, f.kernel().objects().get(koid).handleCount());
    // And back again.
    f.writeOk(c, cEnd, "returned", r.handles()[0]);
    f.assertGone(c, r.handles()[0]);
    ReadResult back = f.readOk(p, pc[0]);
    assertEquals(koid, f.koid(p, back.handles()[0]));
  }

  // ---- write errors, in check order ----

  @Test
  void writeOptionsAreCheckedFirstAndConsumeTheHandles(KernelFixture f) {
    Process p = f.process();
    int e = f.event(p);
    long koid = f.koid(p, e);
    // Even the channel handle is bad here: options are checked before the lookup.
    int status = f.kernel().channel().write(p, 0x4321, 4, bytes("x"), List.of(), new int[] {e});
    assertStatus(Status.ERR_INVALID_ARGS, status);
    f.assertGone(p, e);
    assertFalse(f.alive(koid), "the consumed handle was closed");
  }

  @Test
  void writeToUnknownHandleIsBadHandleAndConsumes(KernelFixture f) {
    Process p = f.process();
    int e = f.event(p);
    assertStatus(Status.ERR_BAD_HANDLE, f.write(p, 0x10003, "x", e));
    f.assertGone(p, e);
  }

  @Test
  void writeThroughAnEventIsWrongType(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    int e = f.event(p);
    assertStatus(Status.ERR_WRONG_TYPE, f.write(p, ev, "x", e));
    f.assertGone(p, e);
  }

  @Test
  void wrongTypeWinsOverAccessDenied(KernelFixture f) {
    Process p = f.process();
    int ev = f.replace(p, f.event(p), Rights.NONE); // neither a channel nor WRITE
    assertStatus(Status.ERR_WRONG_TYPE, f.write(p, ev, "x"));
    assertStatus(Status.ERR_WRONG_TYPE, f.kernel().channel().read(p, ev, 0, 10, 10).status());
  }

  @Test
  void writeWithoutWriteRightIsAccessDeniedAndConsumes(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int ro = f.replace(p, ch[0], Rights.DEFAULT_CHANNEL & ~Rights.WRITE);
    int e = f.event(p);
    assertStatus(Status.ERR_ACCESS_DENIED, f.write(p, ro, "x", e));
    f.assertGone(p, e);
    assertStatus(Status.ERR_SHOULD_WAIT, f.read(p, ch[1]).status());
  }

  @Test
  void sixtyFiveHandlesIsOutOfRangeAndAllAreConsumed(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int[] handles = new int[Limits.CHANNEL_MAX_MSG_HANDLES + 1];
    for (int i = 0; i < handles.length; i++) {
      handles[i] = f.event(p);
    }
    assertStatus(Status.ERR_OUT_OF_RANGE, f.write(p, ch[0], "x", handles));
    for (int h : handles) {
      f.assertGone(p, h);
    }
    assertEquals(2, p.handleTableSize(), "only the channel ends are left");
    assertStatus(Status.ERR_SHOULD_WAIT, f.read(p, ch[1]).status());
  }

  @Test
  void sixtyFourHandlesFit(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int[] handles = new int[Limits.CHANNEL_MAX_MSG_HANDLES];
    for (int i = 0; i < handles.length; i++) {
      handles[i] = f.event(p);
    }
    f.writeOk(p, ch[0], "x", handles);
    assertEquals(64, f.readOk(p, ch[1]).handles().length);
  }

  @Test
  void firstBadEntryDecidesAndLaterEntriesAreStillConsumed(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int ok = f.event(p);
    int noTransfer = f.replace(p, f.event(p), Rights.WAIT);
    int later = f.event(p);
    long laterKoid = f.koid(p, later);
    assertStatus(Status.ERR_BAD_HANDLE, f.write(p, ch[0], "x", ok, 0x5555, noTransfer, later));
    f.assertGone(p, ok);
    f.assertGone(p, noTransfer);
    f.assertGone(p, later);
    assertFalse(f.alive(laterKoid));
    assertStatus(Status.ERR_SHOULD_WAIT, f.read(p, ch[1]).status(), "nothing was sent");
  }

  @Test
  void handleWithoutTransferIsAccessDenied(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int noTransfer = f.replace(p, f.event(p), Rights.DEFAULT_EVENT & ~Rights.TRANSFER);
    int bad = 0x22223;
    assertStatus(Status.ERR_ACCESS_DENIED, f.write(p, ch[0], "x", noTransfer, bad));
    f.assertGone(p, noTransfer);
  }

  @Test
  void sameHandleTwiceIsBadHandle(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int e = f.event(p);
    long koid = f.koid(p, e);
    assertStatus(Status.ERR_BAD_HANDLE, f.write(p, ch[0], "x", e, e));
    f.assertGone(p, e);
    assertFalse(f.alive(koid));
  }

  @Test
  void writingTheChannelsOwnEndpointIsNotSupportedAndConsumesIt(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    assertStatus(Status.ERR_NOT_SUPPORTED, f.write(p, ch[0], "x", ch[0]));
    f.assertGone(p, ch[0]);
    assertTrue((f.signals(p, ch[1]) & Signals.CHANNEL_PEER_CLOSED) != 0);
    assertStatus(Status.ERR_PEER_CLOSED, f.read(p, ch[1]).status(), "nothing was queued");
  }

  @Test
  void missingTransferWinsOverWritingTheOwnEndpoint(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int self = f.replace(p, ch[0], Rights.DEFAULT_CHANNEL & ~Rights.TRANSFER);
    assertStatus(Status.ERR_ACCESS_DENIED, f.write(p, self, "x", self));
    f.assertGone(p, self);
  }

  @Test
  void writingThePeerEndpointIsAllowed(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    long peerKoid = f.koid(p, ch[1]);
    f.writeOk(p, ch[0], "yourself", ch[1]);
    f.assertGone(p, ch[1]);
    Channel peer = (Channel) f.kernel().objects().get(peerKoid);
    assertEquals(1, peer.handleCount(), "its only handle is the one inside its own queue");
    assertEquals(1, peer.queuedMessages());
    assertEquals(Signals.CHANNEL_WRITABLE, f.signals(p, ch[0]), "in transit is not closed");
    // No process can name the end any more, so no syscall can read that message: reach into the queue (test
    // only) and destroy the message, which closes the last handle of the end it sits in.
    Wakeups w = new Wakeups();
    Channel.ReadOutcome out = peer.read(KernelFixture.ANY_BYTES, KernelFixture.ANY_HANDLES, false, w);
    w.run();
    assertStatus(Status.OK, out.status());
    out.message().destroy(w);
    w.run();
    assertFalse(f.alive(peerKoid));
    assertEquals(Signals.CHANNEL_PEER_CLOSED, f.signals(p, ch[0]));
  }

  @Test
  void writeToClosedPeerIsPeerClosedAndClosesTheHandles(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int[] other = f.channel(p);
    f.close(p, ch[1]);
    assertEquals(Signals.CHANNEL_PEER_CLOSED, f.signals(p, ch[0]), "WRITABLE cleared, PEER_CLOSED set");
    assertStatus(Status.ERR_PEER_CLOSED, f.write(p, ch[0], "x", other[0]));
    f.assertGone(p, other[0]);
    assertTrue((f.signals(p, other[1]) & Signals.CHANNEL_PEER_CLOSED) != 0, "the carried handle was closed");
  }

  // ---- read errors and buffers ----

  @Test
  void readChecksLookupThenOptions(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    assertStatus(Status.ERR_BAD_HANDLE, f.kernel().channel().read(p, 0, 2, 10, 10).status());
    int wo = f.replace(p, ch[1], Rights.DEFAULT_CHANNEL & ~Rights.READ);
    assertStatus(Status.ERR_ACCESS_DENIED, f.kernel().channel().read(p, wo, 2, 10, 10).status());
    assertStatus(Status.ERR_NOT_SUPPORTED, f.kernel().channel().read(p, ch[0], 2, 10, 10).status());
  }

  @Test
  void bufferTooSmallReportsSizesAndKeepsTheMessage(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int e1 = f.event(p);
    int e2 = f.event(p);
    f.writeOk(p, ch[0], "hello", e1, e2);
    ReadResult small = f.kernel().channel().read(p, ch[1], 0, 4, 2);
    assertStatus(Status.ERR_BUFFER_TOO_SMALL, small.status());
    assertEquals(5, small.actualBytes());
    assertEquals(2, small.actualHandles());
    assertEquals(0, small.handles().length);
    ReadResult fewHandles = f.kernel().channel().read(p, ch[1], 0, 5, 1);
    assertStatus(Status.ERR_BUFFER_TOO_SMALL, fewHandles.status());
    assertEquals(5, fewHandles.actualBytes());
    assertEquals(2, fewHandles.actualHandles());
    assertTrue((f.signals(p, ch[1]) & Signals.CHANNEL_READABLE) != 0, "still queued");
    ReadResult exact = f.kernel().channel().read(p, ch[1], 0, 5, 2);
    assertStatus(Status.OK, exact.status());
    assertEquals(bytes("hello"), exact.bytes());
    assertEquals(2, exact.handles().length);
  }

  @Test
  void bufferTooSmallWithMayDiscardDropsTheMessageAndClosesItsHandles(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int[] inner = f.channel(p);
    f.writeOk(p, ch[0], "too long", inner[0]);
    f.writeOk(p, ch[0], "next");
    ReadResult r = f.kernel().channel().read(p, ch[1], ChannelSyscalls.READ_MAY_DISCARD, 2, 0);
    assertStatus(Status.ERR_BUFFER_TOO_SMALL, r.status());
    assertEquals(8, r.actualBytes());
    assertEquals(1, r.actualHandles());
    assertTrue((f.signals(p, inner[1]) & Signals.CHANNEL_PEER_CLOSED) != 0, "the dropped message's handle was closed");
    assertEquals(bytes("next"), f.readOk(p, ch[1]).bytes());
  }

  @Test
  void mayDiscardOnTheLastMessageClearsReadable(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    f.writeOk(p, ch[0], "xyz");
    assertStatus(Status.ERR_BUFFER_TOO_SMALL,
        f.kernel().channel().read(p, ch[1], ChannelSyscalls.READ_MAY_DISCARD, 0, 0).status());
    assertEquals(Signals.CHANNEL_WRITABLE, f.signals(p, ch[1]));
    assertStatus(Status.ERR_SHOULD_WAIT, f.read(p, ch[1]).status());
  }

  @Test
  void mayDiscardWithABigEnoughBufferReadsNormally(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    f.writeOk(p, ch[0], "xyz");
    ReadResult r = f.kernel().channel().read(p, ch[1], ChannelSyscalls.READ_MAY_DISCARD, 3, 0);
    assertStatus(Status.OK, r.status());
    assertEquals(bytes("xyz"), r.bytes());
  }

  @Test
  void queuedMessagesAreDeliveredAfterThePeerClosesThenPeerClosed(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    f.writeOk(p, ch[0], "1");
    f.writeOk(p, ch[0], "2");
    f.close(p, ch[0]);
    assertEquals(Signals.CHANNEL_READABLE | Signals.CHANNEL_PEER_CLOSED, f.signals(p, ch[1]));
    assertEquals(bytes("1"), f.readOk(p, ch[1]).bytes());
    assertEquals(bytes("2"), f.readOk(p, ch[1]).bytes());
    assertStatus(Status.ERR_PEER_CLOSED, f.read(p, ch[1]).status());
    assertEquals(Signals.CHANNEL_PEER_CLOSED, f.signals(p, ch[1]));
  }

  // ---- closing an endpoint with unread messages ----

  @Test
  void closingAnEndpointClosesTheHandlesInItsUnreadMessages(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int e = f.event(p);
    long eventKoid = f.koid(p, e);
    int[] inner = f.channel(p);
    f.writeOk(p, ch[0], "x", e, inner[0]);
    assertTrue(f.alive(eventKoid));
    assertEquals(Signals.CHANNEL_WRITABLE, f.signals(p, inner[1]), "in transit is not closed");
    f.close(p, ch[1]);
    assertFalse(f.alive(eventKoid));
    assertTrue((f.signals(p, inner[1]) & Signals.CHANNEL_PEER_CLOSED) != 0);
  }

  @Test
  void messagesTheClosedEndWroteStayReadableByThePeer(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int e = f.event(p);
    long koid = f.koid(p, e);
    f.writeOk(p, ch[0], "kept", e);
    f.close(p, ch[0]);
    assertTrue(f.alive(koid));
    ReadResult r = f.readOk(p, ch[1]);
    assertEquals(koid, f.koid(p, r.handles()[0]));
  }

  @Test
  void channelInsideAMessageInsideAMessageIsClosedRecursively(KernelFixture f) {
    Process p = f.process();
    int[] innermost = f.channel(p); // we keep innermost[0] and watch it
    int[] middle = f.channel(p);
    int[] outer = f.channel(p);
    f.writeOk(p, middle[0], "holds innermost[1]", innermost[1]);
    f.close(p, middle[0]);
    f.writeOk(p, outer[0], "holds middle[1]", middle[1]);
    f.close(p, outer[0]);
    assertEquals(Signals.CHANNEL_WRITABLE, f.signals(p, innermost[0]));
    f.close(p, outer[1]);
    assertEquals(Signals.CHANNEL_PEER_CLOSED, f.signals(p, innermost[0]));
    assertEquals(2, f.kernel().objects().size(), "only innermost[0] and the process remain");
  }

  @Test
  void twoHundredDeepNestIsDestroyedCompletely(KernelFixture f) {
    Process p = f.process();
    int[] watch = f.channel(p);
    int carried = watch[1];
    for (int i = 0; i < 200; i++) {
      int[] level = f.channel(p);
      f.writeOk(p, level[0], "level " + i, carried);
      f.close(p, level[0]);
      carried = level[1];
    }
    assertEquals(1 + 2 + 200, f.kernel().objects().size(), "process, watched pair, each level's receiving end");
    assertEquals(Signals.CHANNEL_WRITABLE, f.signals(p, watch[0]));
    f.close(p, carried);
    assertEquals(Signals.CHANNEL_PEER_CLOSED, f.signals(p, watch[0]));
    assertEquals(2, f.kernel().objects().size());
  }

  // ---- iovec ----

  @Test
  void iovecWriteConcatenatesTheBuffers(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    List<Iovec> parts = List.of(new Iovec(bytes("ab"), 0), new Iovec(bytes(""), 0), new Iovec(bytes("cd"), 0));
    assertStatus(Status.OK,
        f.kernel().channel().write(p, ch[0], ChannelSyscalls.WRITE_USE_IOVEC, ByteString.EMPTY, parts, new int[0]));
    assertEquals(bytes("abcd"), f.readOk(p, ch[1]).bytes());
  }

  @Test
  void iovecRulesAreCheckedAndConsumeTheHandles(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int e = f.event(p);
    List<Iovec> reserved = List.of(new Iovec(bytes("ab"), 1));
    assertStatus(Status.ERR_INVALID_ARGS, f.kernel().channel().write(
        p, ch[0], ChannelSyscalls.WRITE_USE_IOVEC, ByteString.EMPTY, reserved, new int[] {e}));
    f.assertGone(p, e);
    List<Iovec> many = new ArrayList<>();
    for (int i = 0; i <= Limits.CHANNEL_MAX_MSG_IOVEC; i++) {
      many.add(new Iovec(ByteString.EMPTY, 0));
    }
    assertStatus(Status.ERR_OUT_OF_RANGE, f.kernel().channel().write(
        p, ch[0], ChannelSyscalls.WRITE_USE_IOVEC, ByteString.EMPTY, many, new int[0]));
    List<Iovec> big = List.of(new Iovec(ByteString.copyFrom(new byte[40_000]), 0),
        new Iovec(ByteString.copyFrom(new byte[40_000]), 0));
    assertStatus(Status.ERR_OUT_OF_RANGE, f.kernel().channel().write(
        p, ch[0], ChannelSyscalls.WRITE_USE_IOVEC, ByteString.EMPTY, big, new int[0]));
    assertStatus(Status.ERR_SHOULD_WAIT, f.read(p, ch[1]).status());
  }
}
