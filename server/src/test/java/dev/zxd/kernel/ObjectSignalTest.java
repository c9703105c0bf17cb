package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zxd.kernel.ObjectSyscalls.WaitResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** zx_object_signal and zx_object_signal_peer: rights, the user-signal mask, peers. */
@ExtendWith(KernelExtension.class)
class ObjectSignalTest {
  private static final int USER_0 = Signals.USER_0;
  private static final int USER_1 = Signals.USER_0 << 1;
  private static final int USER_7 = 0x80000000;

  @Test
  void userSignalsCanBeSetAndClearedOnEveryObject(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int ev = f.event(p);
    int[] ep = f.eventPair(p);
    for (int h : new int[] {ch[0], ev, ep[0]}) {
      int before = f.signals(p, h);
      assertStatus(Status.OK, f.kernel().object().signal(p, h, 0, USER_0 | USER_7));
      assertEquals(before | USER_0 | USER_7, f.signals(p, h));
      assertStatus(Status.OK, f.kernel().object().signal(p, h, USER_0, 0));
      assertEquals(before | USER_7, f.signals(p, h));
      assertStatus(Status.OK, f.kernel().object().signal(p, h, Signals.USER_ALL, 0));
      assertEquals(before, f.signals(p, h));
    }
  }

  @Test
  void clearIsAppliedBeforeSet(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    assertStatus(Status.OK, f.kernel().object().signal(p, ev, USER_1, USER_1));
    assertEquals(USER_1, f.signals(p, ev));
  }

  @Test
  void nonUserBitsAreInvalidArgsInSetOrClear(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    assertStatus(Status.ERR_INVALID_ARGS, f.kernel().object().signal(p, ch[0], 0, Signals.CHANNEL_READABLE));
    assertStatus(Status.ERR_INVALID_ARGS, f.kernel().object().signal(p, ch[0], Signals.CHANNEL_WRITABLE, 0));
    assertStatus(Status.ERR_INVALID_ARGS, f.kernel().object().signal(p, ch[0], 0, Signals.SIGNALED));
    assertStatus(Status.ERR_INVALID_ARGS, f.kernel().object().signal(p, ch[0], 0, Signals.HANDLE_CLOSED));
    assertStatus(Status.ERR_INVALID_ARGS, f.kernel().object().signal(p, ch[0], 0, USER_0 | 1 << 4));
    assertEquals(Signals.CHANNEL_WRITABLE, f.signals(p, ch[0]), "a rejected call changes nothing");
  }

  @Test
  void eventsAndEventpairsAlsoAllowSignaled(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    int[] ep = f.eventPair(p);
    assertStatus(Status.OK, f.kernel().object().signal(p, ev, 0, Signals.EVENT_SIGNALED));
    assertEquals(Signals.EVENT_SIGNALED, f.signals(p, ev));
    assertStatus(Status.OK, f.kernel().object().signal(p, ep[0], 0, Signals.EVENTPAIR_SIGNALED));
    assertEquals(Signals.EVENTPAIR_SIGNALED, f.signals(p, ep[0]));
    assertStatus(Status.ERR_INVALID_ARGS, f.kernel().object().signal(p, ev, 0, Signals.PEER_CLOSED));
    assertStatus(Status.ERR_INVALID_ARGS, f.kernel().object().signal(p, ep[0], 0, Signals.EVENTPAIR_PEER_CLOSED));
    assertStatus(Status.ERR_INVALID_ARGS, f.kernel().object().signal(p, ev, Signals.READABLE, 0));
  }

  @Test
  void processesAcceptOnlyUserSignals(KernelFixture f) {
    Process parent = f.process();
    ProcessSyscalls.CreateResult child = f.kernel().process().create(parent, "c", 0);
    int h = child.procHandle();
    assertStatus(Status.ERR_INVALID_ARGS, f.kernel().object().signal(parent, h, 0, Signals.TASK_TERMINATED));
    assertStatus(Status.OK, f.kernel().object().signal(parent, h, 0, USER_0));
    assertEquals(USER_0, f.signals(parent, h));
  }

  @Test
  void signalNeedsTheSignalRightCheckedBeforeTheMask(KernelFixture f) {
    Process p = f.process();
    int ev = f.replace(p, f.event(p), Rights.DEFAULT_EVENT & ~Rights.SIGNAL);
    assertStatus(Status.ERR_ACCESS_DENIED, f.kernel().object().signal(p, ev, 0, USER_0));
    assertStatus(Status.ERR_ACCESS_DENIED, f.kernel().object().signal(p, ev, 0, Signals.READABLE));
    assertStatus(Status.ERR_BAD_HANDLE, f.kernel().object().signal(p, 0, 0, Signals.READABLE));
    assertEquals(0, f.signals(p, ev));
  }

  @Test
  void signalWakesAWaiter(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    Outcome<WaitResult> w = new Outcome<>();
    f.kernel().object().waitOne(p, ev, USER_1, MonotonicClock.INFINITE, w);
    assertStatus(Status.OK, f.kernel().object().signal(p, ev, 0, USER_1));
    assertEquals(new WaitResult(Status.OK, USER_1), w.get());
  }

  // ---- signal_peer ----

  @Test
  void signalPeerChangesTheOtherEndOnly(KernelFixture f) {
    Process p = f.process();
    int[] ep = f.eventPair(p);
    int[] ch = f.channel(p);
    assertStatus(Status.OK, f.kernel().object().signalPeer(p, ep[0], 0, USER_0 | Signals.EVENTPAIR_SIGNALED));
    assertEquals(0, f.signals(p, ep[0]));
    assertEquals(USER_0 | Signals.EVENTPAIR_SIGNALED, f.signals(p, ep[1]));
    assertStatus(Status.OK, f.kernel().object().signalPeer(p, ep[0], USER_0, 0));
    assertEquals(Signals.EVENTPAIR_SIGNALED, f.signals(p, ep[1]));
    assertStatus(Status.OK, f.kernel().object().signalPeer(p, ch[1], 0, USER_7));
    assertEquals(Signals.CHANNEL_WRITABLE | USER_7, f.signals(p, ch[0]));
    assertEquals(Signals.CHANNEL_WRITABLE, f.signals(p, ch[1]));
  }

  @Test
  void signalPeerOnAnEventIsAccessDenied(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    assertEquals(0, Rights.DEFAULT_EVENT & Rights.SIGNAL_PEER);
    assertStatus(Status.ERR_ACCESS_DENIED, f.kernel().object().signalPeer(p, ev, 0, USER_0));
  }

  @Test
  void signalPeerNeedsSignalPeerRight(KernelFixture f) {
    Process p = f.process();
    int[] ep = f.eventPair(p);
    int noPeer = f.replace(p, ep[0], Rights.DEFAULT_EVENTPAIR & ~Rights.SIGNAL_PEER);
    assertStatus(Status.ERR_ACCESS_DENIED, f.kernel().object().signalPeer(p, noPeer, 0, USER_0));
    assertStatus(Status.OK, f.kernel().object().signal(p, noPeer, 0, USER_0), "SIGNAL is a different right");
    assertEquals(0, f.signals(p, ep[1]));
  }

  @Test
  void signalPeerMaskRulesAreThePeersObjectRules(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int[] ep = f.eventPair(p);
    assertStatus(Status.ERR_INVALID_ARGS, f.kernel().object().signalPeer(p, ch[0], 0, Signals.SIGNALED));
    assertStatus(Status.ERR_INVALID_ARGS, f.kernel().object().signalPeer(p, ep[0], 0, Signals.EVENTPAIR_PEER_CLOSED));
  }

  @Test
  void signalPeerAfterThePeerIsGoneIsPeerClosedButTheMaskIsCheckedFirst(KernelFixture f) {
    Process p = f.process();
    int[] ep = f.eventPair(p);
    int[] ch = f.channel(p);
    f.close(p, ep[1], ch[1]);
    assertStatus(Status.ERR_PEER_CLOSED, f.kernel().object().signalPeer(p, ep[0], 0, USER_0));
    assertStatus(Status.ERR_PEER_CLOSED, f.kernel().object().signalPeer(p, ch[0], 0, USER_0));
    assertStatus(Status.ERR_INVALID_ARGS, f.kernel().object().signalPeer(p, ep[0], 0, Signals.READABLE));
    assertStatus(Status.OK, f.kernel().object().signal(p, ep[0], 0, USER_0), "its own signals still work");
  }

  @Test
  void signalPeerWakesAWaiterOnThePeer(KernelFixture f) {
    Process p = f.process();
    int[] ep = f.eventPair(p);
    Outcome<WaitResult> w = new Outcome<>();
    f.kernel().object().waitOne(p, ep[1], Signals.EVENTPAIR_SIGNALED, MonotonicClock.INFINITE, w);
    assertStatus(Status.OK, f.kernel().object().signalPeer(p, ep[0], 0, Signals.EVENTPAIR_SIGNALED));
    assertEquals(new WaitResult(Status.OK, Signals.EVENTPAIR_SIGNALED), w.get());
  }
}
