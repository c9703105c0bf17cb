package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static dev.zxd.kernel.KernelFixture.bytes;
import static dev.zxd.kernel.KernelFixture.duplicateOf;
import static dev.zxd.kernel.KernelFixture.move;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zxd.kernel.ChannelSyscalls.HandleDisposition;
import dev.zxd.kernel.ChannelSyscalls.ReadResult;
import dev.zxd.kernel.ChannelSyscalls.WriteEtcResult;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** zx_channel_write_etc: MOVE and DUPLICATE dispositions, per-entry results, and what is consumed. */
@ExtendWith(KernelExtension.class)
class ChannelWriteEtcTest {
  private static final int PENDING = 12345; // a result value the kernel must overwrite (or, on success, leave)

  private static HandleDisposition d(int op, int h, int type, int rights) {
    HandleDisposition d = new HandleDisposition(op, h, type, rights);
    d.result = PENDING;
    return d;
  }

  private static HandleDisposition moveAs(int h, int type, int rights) {
    return d(ChannelSyscalls.HANDLE_OP_MOVE, h, type, rights);
  }

  private static HandleDisposition dupAs(int h, int type, int rights) {
    return d(ChannelSyscalls.HANDLE_OP_DUPLICATE, h, type, rights);
  }

  @Test
  void moveAndDuplicateInOneMessage(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int moved = f.event(p);
    int kept = f.event(p);
    long movedKoid = f.koid(p, moved);
    long keptKoid = f.koid(p, kept);
    HandleDisposition m = moveAs(moved, ObjectType.EVENT, Rights.SAME_RIGHTS);
    HandleDisposition dup = dupAs(kept, ObjectType.NONE, Rights.WAIT | Rights.TRANSFER);
    WriteEtcResult w = f.writeEtc(p, ch[0], "mix", m, dup);
    assertStatus(Status.OK, w.status());
    // On success Zircon leaves the caller's result fields alone: the kernel says so, and the RPC layer copies
    // results back only when told to.
    assertFalse(w.resultsWritten(), "results are only written back on failure");
    f.assertGone(p, moved);
    f.assertValid(p, kept);
    assertEquals(2, f.object(p, kept).handleCount(), "the duplicate is in flight");
    ReadResult r = f.readOk(p, ch[1]);
    assertEquals(bytes("mix"), r.bytes());
    assertEquals(movedKoid, f.koid(p, r.handles()[0]));
    assertEquals(keptKoid, f.koid(p, r.handles()[1]));
    assertArrayEquals(new int[] {Rights.DEFAULT_EVENT, Rights.WAIT | Rights.TRANSFER}, r.rights());
  }

  @Test
  void moveWithFewerRightsMintsAReducedHandle(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int[] inner = f.channel(p);
    int reduced = Rights.TRANSFER | Rights.READ | Rights.WAIT;
    assertStatus(Status.OK, f.writeEtc(p, ch[0], "", moveAs(inner[0], ObjectType.CHANNEL, reduced)).status());
    f.assertGone(p, inner[0]);
    assertEquals(Signals.CHANNEL_WRITABLE, f.signals(p, inner[1]), "the reduced handle keeps the end alive");
    ReadResult r = f.readOk(p, ch[1]);
    assertEquals(reduced, f.rights(p, r.handles()[0]));
    assertEquals(1, f.object(p, r.handles()[0]).handleCount());
  }

  @Test
  void typeMismatchIsWrongTypeInThatEntryAndNothingIsSent(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int good = f.event(p);
    int event = f.event(p);
    long goodKoid = f.koid(p, good);
    HandleDisposition first = moveAs(good, ObjectType.EVENT, Rights.SAME_RIGHTS);
    HandleDisposition wrong = moveAs(event, ObjectType.CHANNEL, Rights.SAME_RIGHTS);
    WriteEtcResult w = f.writeEtc(p, ch[0], "x", first, wrong);
    assertStatus(Status.ERR_WRONG_TYPE, w.status());
    assertTrue(w.resultsWritten());
    assertStatus(Status.OK, first.result, "entry 0");
    assertStatus(Status.ERR_WRONG_TYPE, wrong.result, "entry 1");
    f.assertGone(p, good);
    f.assertGone(p, event);
    assertFalse(f.alive(goodKoid), "a handle already moved into the unsent message is destroyed");
    assertStatus(Status.ERR_SHOULD_WAIT, f.read(p, ch[1]).status());
  }

  @Test
  void duplicateTypeMismatchLeavesTheSource(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int e = f.event(p);
    HandleDisposition dup = dupAs(e, ObjectType.EVENTPAIR, Rights.SAME_RIGHTS);
    assertStatus(Status.ERR_WRONG_TYPE, f.writeEtc(p, ch[0], "x", dup).status());
    assertStatus(Status.ERR_WRONG_TYPE, dup.result);
    f.assertValid(p, e);
    assertEquals(1, f.object(p, e).handleCount());
  }

  @Test
  void droppingTransferGivesTheReaderAHandleItCannotSendOn(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int[] next = f.channel(p);
    int e = f.event(p);
    long koid = f.koid(p, e);
    int noTransfer = Rights.DEFAULT_EVENT & ~Rights.TRANSFER;
    assertStatus(Status.OK, f.writeEtc(p, ch[0], "", moveAs(e, ObjectType.EVENT, noTransfer)).status());
    ReadResult r = f.readOk(p, ch[1]);
    int received = r.handles()[0];
    assertEquals(noTransfer, r.rights()[0]);
    assertEquals(noTransfer, f.rights(p, received));
    assertStatus(Status.ERR_ACCESS_DENIED, f.write(p, next[0], "again", received));
    f.assertGone(p, received);
    assertFalse(f.alive(koid), "the untransferable handle was consumed by the failed write");
  }

  @Test
  void droppingTransferThenWriteEtcOfItIsAccessDenied(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int e = f.replace(p, f.event(p), Rights.DEFAULT_EVENT & ~Rights.TRANSFER);
    HandleDisposition dup = dupAs(e, ObjectType.NONE, Rights.SAME_RIGHTS);
    assertStatus(Status.ERR_ACCESS_DENIED, f.writeEtc(p, ch[0], "", dup).status());
    assertStatus(Status.ERR_ACCESS_DENIED, dup.result);
    f.assertValid(p, e);
    HandleDisposition mv = moveAs(e, ObjectType.NONE, Rights.SAME_RIGHTS);
    assertStatus(Status.ERR_ACCESS_DENIED, f.writeEtc(p, ch[0], "", mv).status());
    f.assertGone(p, e);
  }

  @Test
  void sameHandleMovedTwiceIsBadHandle(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int e = f.event(p);
    long koid = f.koid(p, e);
    HandleDisposition a = moveAs(e, ObjectType.NONE, Rights.SAME_RIGHTS);
    HandleDisposition b = moveAs(e, ObjectType.NONE, Rights.SAME_RIGHTS);
    assertStatus(Status.ERR_BAD_HANDLE, f.writeEtc(p, ch[0], "", a, b).status());
    assertStatus(Status.OK, a.result);
    assertStatus(Status.ERR_BAD_HANDLE, b.result);
    f.assertGone(p, e);
    assertFalse(f.alive(koid));
    assertStatus(Status.ERR_SHOULD_WAIT, f.read(p, ch[1]).status());
  }

  @Test
  void sameHandleDuplicatedTwiceIsFine(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int e = f.event(p);
    assertStatus(Status.OK, f.writeEtc(p, ch[0], "", duplicateOf(e), duplicateOf(e)).status());
    assertEquals(3, f.object(p, e).handleCount());
    assertEquals(2, f.readOk(p, ch[1]).handles().length);
  }

  @Test
  void writingTheChannelsOwnEndpointIsNotSupported(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    HandleDisposition self = moveAs(ch[0], ObjectType.NONE, Rights.SAME_RIGHTS);
    assertStatus(Status.ERR_NOT_SUPPORTED, f.writeEtc(p, ch[0], "", self).status());
    assertStatus(Status.ERR_NOT_SUPPORTED, self.result);
    f.assertGone(p, ch[0]);
    assertEquals(Signals.CHANNEL_PEER_CLOSED, f.signals(p, ch[1]), "the moved endpoint was closed, nothing sent");
  }

  @Test
  void duplicateWithoutDuplicateRightIsAccessDeniedCheckedLast(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int[] other = f.channel(p); // channels lack DUPLICATE
    HandleDisposition plain = dupAs(other[0], ObjectType.NONE, Rights.SAME_RIGHTS);
    assertStatus(Status.ERR_ACCESS_DENIED, f.writeEtc(p, ch[0], "", plain).status());
    assertStatus(Status.ERR_ACCESS_DENIED, plain.result);
    // Type and rights checks come before the DUPLICATE right: they decide when they fail.
    HandleDisposition wrongType = dupAs(other[0], ObjectType.EVENT, Rights.SAME_RIGHTS);
    assertStatus(Status.ERR_WRONG_TYPE, f.writeEtc(p, ch[0], "", wrongType).status());
    HandleDisposition moreRights = dupAs(other[0], ObjectType.CHANNEL, Rights.DEFAULT_CHANNEL | Rights.DUPLICATE);
    assertStatus(Status.ERR_INVALID_ARGS, f.writeEtc(p, ch[0], "", moreRights).status());
    f.assertValid(p, other[0]);
  }

  @Test
  void moveWithMoreRightsIsInvalidArgsAndConsumed(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int e = f.replace(p, f.event(p), Rights.TRANSFER | Rights.WAIT);
    HandleDisposition mv = moveAs(e, ObjectType.NONE, Rights.TRANSFER | Rights.WAIT | Rights.SIGNAL);
    assertStatus(Status.ERR_INVALID_ARGS, f.writeEtc(p, ch[0], "", mv).status());
    assertStatus(Status.ERR_INVALID_ARGS, mv.result);
    f.assertGone(p, e);
  }

  @Test
  void unknownOperationIsInvalidArgsAndClosesTheSource(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int e = f.event(p);
    HandleDisposition bad = d(7, e, ObjectType.NONE, Rights.SAME_RIGHTS);
    assertStatus(Status.ERR_INVALID_ARGS, f.writeEtc(p, ch[0], "", bad).status());
    assertStatus(Status.ERR_INVALID_ARGS, bad.result);
    f.assertGone(p, e);
  }

  @Test
  void everyEntryIsAttemptedAndTheFirstErrorIsReturned(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int dupSrc = f.event(p);
    int movedLater = f.event(p);
    HandleDisposition missing = moveAs(0x3333, ObjectType.NONE, Rights.SAME_RIGHTS);
    HandleDisposition wrongType = dupAs(dupSrc, ObjectType.CHANNEL, Rights.SAME_RIGHTS);
    HandleDisposition fine = moveAs(movedLater, ObjectType.EVENT, Rights.SAME_RIGHTS);
    WriteEtcResult w = f.writeEtc(p, ch[0], "", missing, wrongType, fine);
    assertStatus(Status.ERR_BAD_HANDLE, w.status());
    assertStatus(Status.ERR_BAD_HANDLE, missing.result);
    assertStatus(Status.ERR_WRONG_TYPE, wrongType.result);
    assertStatus(Status.OK, fine.result);
    f.assertValid(p, dupSrc);
    f.assertGone(p, movedLater);
  }

  @Test
  void sixtyFiveEntriesIsOutOfRangeMovesClosedDuplicatesKept(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    HandleDisposition[] ds = new HandleDisposition[Limits.CHANNEL_MAX_MSG_HANDLES + 1];
    int[] values = new int[ds.length];
    for (int i = 0; i < ds.length; i++) {
      values[i] = f.event(p);
      ds[i] = i % 2 == 0 ? moveAs(values[i], ObjectType.NONE, Rights.SAME_RIGHTS)
          : dupAs(values[i], ObjectType.NONE, Rights.SAME_RIGHTS);
    }
    WriteEtcResult w = f.writeEtc(p, ch[0], "", ds);
    assertStatus(Status.ERR_OUT_OF_RANGE, w.status());
    assertFalse(w.resultsWritten(), "an early failure writes no per-entry results");
    for (int i = 0; i < ds.length; i++) {
      assertEquals(PENDING, ds[i].result);
      if (i % 2 == 0) {
        f.assertGone(p, values[i]);
      } else {
        f.assertValid(p, values[i]);
        assertEquals(1, f.object(p, values[i]).handleCount());
      }
    }
    assertStatus(Status.ERR_SHOULD_WAIT, f.read(p, ch[1]).status());
  }

  @Test
  void earlyFailuresConsumeMovesOnly(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int ev = f.event(p);
    // options → INVALID_ARGS
    int m1 = f.event(p);
    int d1 = f.event(p);
    WriteEtcResult w = f.kernel().channel().writeEtc(p, ch[0], 8, bytes(""), List.of(),
        new HandleDisposition[] {move(m1), duplicateOf(d1)});
    assertStatus(Status.ERR_INVALID_ARGS, w.status());
    f.assertGone(p, m1);
    f.assertValid(p, d1);
    // bad channel handle, wrong type, and missing WRITE
    int[] targets = {0x9999, ev, f.replace(p, ch[0], Rights.READ | Rights.WAIT)};
    int[] expected = {Status.ERR_BAD_HANDLE, Status.ERR_WRONG_TYPE, Status.ERR_ACCESS_DENIED};
    for (int i = 0; i < targets.length; i++) {
      int m = f.event(p);
      HandleDisposition dm = move(m);
      HandleDisposition dd = duplicateOf(d1);
      WriteEtcResult r = f.writeEtc(p, targets[i], "", dm, dd);
      assertStatus(expected[i], r.status(), "target " + i);
      assertFalse(r.resultsWritten());
      f.assertGone(p, m);
      f.assertValid(p, d1);
    }
    assertEquals(1, f.object(p, d1).handleCount());
  }

  @Test
  void peerClosedDestroysTheMessageButDuplicateSourcesStay(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    f.close(p, ch[1]);
    int m = f.event(p);
    int d = f.event(p);
    long mk = f.koid(p, m);
    WriteEtcResult w = f.writeEtc(p, ch[0], "", move(m), duplicateOf(d));
    assertStatus(Status.ERR_PEER_CLOSED, w.status());
    f.assertGone(p, m);
    assertFalse(f.alive(mk));
    assertEquals(1, f.object(p, d).handleCount(), "the duplicate made for the message was closed with it");
  }
}
