package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** zx_handle_close / close_many / duplicate / replace. */
@ExtendWith(KernelExtension.class)
class HandleSyscallsTest {

  // ---- close ----

  @Test
  void closeInvalidHandleIsNoOp(KernelFixture f) {
    Process p = f.process();
    assertStatus(Status.OK, f.kernel().handle().close(p, 0));
  }

  @Test
  void closeUnknownValueIsBadHandle(KernelFixture f) {
    Process p = f.process();
    assertStatus(Status.ERR_BAD_HANDLE, f.kernel().handle().close(p, 0x12345677));
  }

  @Test
  void closeTwiceIsBadHandleTheSecondTime(KernelFixture f) {
    Process p = f.process();
    int e = f.event(p);
    long koid = f.koid(p, e);
    assertStatus(Status.OK, f.kernel().handle().close(p, e));
    assertFalse(f.alive(koid), "last handle closed: the event is destroyed");
    assertStatus(Status.ERR_BAD_HANDLE, f.kernel().handle().close(p, e));
  }

  @Test
  void closeNeedsNoRights(KernelFixture f) {
    Process p = f.process();
    int e = f.event(p);
    int none = f.replace(p, e, Rights.NONE);
    assertStatus(Status.OK, f.kernel().handle().close(p, none));
  }

  @Test
  void closingOneOfTwoHandlesKeepsTheObject(KernelFixture f) {
    Process p = f.process();
    int e = f.event(p);
    int dup = f.duplicate(p, e, Rights.SAME_RIGHTS);
    long koid = f.koid(p, e);
    f.close(p, e);
    assertTrue(f.alive(koid));
    assertEquals(1, f.object(p, dup).handleCount());
  }

  // ---- close_many ----

  @Test
  void closeManyWithNoEntriesIsOk(KernelFixture f) {
    Process p = f.process();
    assertStatus(Status.OK, f.kernel().handle().closeMany(p, new int[0]));
  }

  @Test
  void closeManyClosesEveryValidEntryEvenWhenOneIsBad(KernelFixture f) {
    Process p = f.process();
    int a = f.event(p);
    int b = f.event(p);
    int[] ch = f.channel(p);
    long ka = f.koid(p, a);
    long kb = f.koid(p, b);
    int status = f.kernel().handle().closeMany(p, new int[] {a, 0x7777777B, b, 0, ch[0]});
    assertStatus(Status.ERR_BAD_HANDLE, status);
    f.assertGone(p, a);
    f.assertGone(p, b);
    f.assertGone(p, ch[0]);
    assertFalse(f.alive(ka));
    assertFalse(f.alive(kb));
    assertTrue((f.signals(p, ch[1]) & Signals.CHANNEL_PEER_CLOSED) != 0, "the closed end's peer sees PEER_CLOSED");
  }

  @Test
  void closeManySkipsInvalidHandleEntries(KernelFixture f) {
    Process p = f.process();
    int a = f.event(p);
    assertStatus(Status.OK, f.kernel().handle().closeMany(p, new int[] {0, a, 0}));
    f.assertGone(p, a);
  }

  @Test
  void closeManyWithRepeatedValueClosesItOnceAndReportsBadHandle(KernelFixture f) {
    Process p = f.process();
    int a = f.event(p);
    int b = f.event(p);
    assertStatus(Status.ERR_BAD_HANDLE, f.kernel().handle().closeMany(p, new int[] {a, a, b}));
    f.assertGone(p, a);
    f.assertGone(p, b);
  }

  // ---- duplicate ----

  @Test
  void duplicateMakesANewValueForTheSameObject(KernelFixture f) {
    Process p = f.process();
    int e = f.event(p);
    int dup = f.duplicate(p, e, Rights.SAME_RIGHTS);
    assertNotEquals(e, dup);
    assertEquals(f.koid(p, e), f.koid(p, dup));
    assertEquals(Rights.DEFAULT_EVENT, f.rights(p, dup));
    assertEquals(2, f.object(p, e).handleCount());
  }

  @Test
  void duplicateWithFewerRights(KernelFixture f) {
    Process p = f.process();
    int e = f.event(p);
    int dup = f.duplicate(p, e, Rights.WAIT | Rights.DUPLICATE);
    assertEquals(Rights.WAIT | Rights.DUPLICATE, f.rights(p, dup));
    assertEquals(Rights.DEFAULT_EVENT, f.rights(p, e), "source untouched");
  }

  @Test
  void duplicateWithNoRightsIsAllowed(KernelFixture f) {
    Process p = f.process();
    int e = f.event(p);
    int dup = f.duplicate(p, e, Rights.NONE);
    assertEquals(Rights.NONE, f.rights(p, dup));
  }

  @Test
  void duplicateOfUnknownValueIsBadHandle(KernelFixture f) {
    Process p = f.process();
    HandleResult r = f.kernel().handle().duplicate(p, 0, Rights.SAME_RIGHTS);
    assertStatus(Status.ERR_BAD_HANDLE, r.status());
    assertEquals(0, r.out());
  }

  @Test
  void duplicateWithoutDuplicateRightIsAccessDenied(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p); // channels have no DUPLICATE right by default
    assertEquals(0, Rights.DEFAULT_CHANNEL & Rights.DUPLICATE);
    HandleResult r = f.kernel().handle().duplicate(p, ch[0], Rights.SAME_RIGHTS);
    assertStatus(Status.ERR_ACCESS_DENIED, r.status());
    assertEquals(0, r.out());
    f.assertValid(p, ch[0]);
  }

  @Test
  void duplicateAccessDeniedWinsOverGrowingRights(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    // Asking for more rights than held AND lacking DUPLICATE: the DUPLICATE check comes first.
    assertStatus(Status.ERR_ACCESS_DENIED, f.kernel().handle().duplicate(p, ch[0], 0xFFFF).status());
  }

  @Test
  void duplicateCannotGrowRights(KernelFixture f) {
    Process p = f.process();
    int e = f.event(p);
    int reduced = f.duplicate(p, e, Rights.DUPLICATE | Rights.WAIT);
    HandleResult r = f.kernel().handle().duplicate(p, reduced, Rights.DUPLICATE | Rights.WAIT | Rights.SIGNAL);
    assertStatus(Status.ERR_INVALID_ARGS, r.status());
    assertEquals(0, r.out());
    assertEquals(2, f.object(p, e).handleCount(), "no handle made, source untouched");
  }

  @Test
  void sameRightsMixedWithOtherBitsIsALiteralMask(KernelFixture f) {
    Process p = f.process();
    int e = f.event(p);
    assertStatus(Status.ERR_INVALID_ARGS,
        f.kernel().handle().duplicate(p, e, Rights.SAME_RIGHTS | Rights.WAIT).status());
    assertStatus(Status.ERR_INVALID_ARGS,
        f.kernel().handle().replace(p, f.duplicate(p, e, Rights.SAME_RIGHTS), Rights.SAME_RIGHTS | Rights.WAIT).status());
  }

  // ---- replace ----

  @Test
  void replaceOfUnknownValueIsBadHandle(KernelFixture f) {
    Process p = f.process();
    HandleResult r = f.kernel().handle().replace(p, 0x1357, Rights.SAME_RIGHTS);
    assertStatus(Status.ERR_BAD_HANDLE, r.status());
    assertEquals(0, r.out());
  }

  @Test
  void replaceSwapsTheValueAndKeepsTheObject(KernelFixture f) {
    Process p = f.process();
    int e = f.event(p);
    long koid = f.koid(p, e);
    HandleResult r = f.kernel().handle().replace(p, e, Rights.WAIT);
    assertStatus(Status.OK, r.status());
    assertNotEquals(e, r.out());
    f.assertGone(p, e);
    assertEquals(koid, f.koid(p, r.out()));
    assertEquals(Rights.WAIT, f.rights(p, r.out()));
    assertEquals(1, f.object(p, r.out()).handleCount());
  }

  @Test
  void replaceNeedsNoRightAndWorksOnChannels(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int replaced = f.replace(p, ch[0], Rights.SAME_RIGHTS);
    assertEquals(Rights.DEFAULT_CHANNEL, f.rights(p, replaced));
    // The object never saw its handle count reach zero: the peer is not peer-closed.
    assertEquals(Signals.CHANNEL_WRITABLE, f.signals(p, ch[1]));
  }

  @Test
  void replaceOfAHandleWithNoRights(KernelFixture f) {
    Process p = f.process();
    int e = f.event(p);
    int none = f.replace(p, e, Rights.NONE);
    int again = f.replace(p, none, Rights.NONE);
    assertEquals(Rights.NONE, f.rights(p, again));
  }

  @Test
  void replaceWithMoreRightsConsumesTheSource(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int reduced = f.replace(p, ch[0], Rights.READ | Rights.WAIT);
    HandleResult r = f.kernel().handle().replace(p, reduced, Rights.READ | Rights.WAIT | Rights.WRITE);
    assertStatus(Status.ERR_INVALID_ARGS, r.status());
    assertEquals(0, r.out());
    f.assertGone(p, reduced);
    assertTrue((f.signals(p, ch[1]) & Signals.CHANNEL_PEER_CLOSED) != 0,
        "the consumed handle was the endpoint's last: its peer sees PEER_CLOSED");
  }

  @Test
  void handleOperationsNeverReachAcrossProcesses(KernelFixture f) {
    Process p = f.process();
    Process q = f.process();
    int e = f.event(p);
    assertStatus(Status.ERR_BAD_HANDLE, f.kernel().handle().close(q, e));
    assertStatus(Status.ERR_BAD_HANDLE, f.kernel().handle().duplicate(q, e, Rights.SAME_RIGHTS).status());
    assertStatus(Status.ERR_BAD_HANDLE, f.kernel().handle().replace(q, e, Rights.SAME_RIGHTS).status());
    assertStatus(Status.ERR_BAD_HANDLE, f.kernel().handle().closeMany(q, new int[] {e}));
    f.assertValid(p, e);
  }
}
