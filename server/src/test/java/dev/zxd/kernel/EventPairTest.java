package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zxd.kernel.ObjectSyscalls.WaitResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** zx_eventpair_create and the eventpair object. */
@ExtendWith(KernelExtension.class)
class EventPairTest {

  @Test
  void nonZeroOptionsAreNotSupported(KernelFixture f) {
    Process p = f.process();
    HandlePairResult r = f.kernel().event().createPair(p, 1);
    assertStatus(Status.ERR_NOT_SUPPORTED, r.status());
    assertEquals(0, r.out0());
    assertEquals(0, r.out1());
    assertEquals(0, p.handleTableSize());
    assertEquals(1, f.kernel().objects().size());
  }

  @Test
  void newPairHasDefaultRightsNoSignalsAndKnowsItsPeer(KernelFixture f) {
    Process p = f.process();
    int[] ep = f.eventPair(p);
    assertEquals(0xF003, Rights.DEFAULT_EVENTPAIR);
    assertEquals(0xF003, f.rights(p, ep[0]));
    assertEquals(0xF003, f.rights(p, ep[1]));
    assertEquals(0, f.signals(p, ep[0]));
    assertEquals(0, f.signals(p, ep[1]));
    assertEquals(ObjectType.EVENTPAIR, f.object(p, ep[0]).type());
    assertEquals(f.koid(p, ep[1]), f.object(p, ep[0]).relatedKoid());
    assertEquals(f.koid(p, ep[0]), f.object(p, ep[1]).relatedKoid());
  }

  @Test
  void closingOneEndSetsPeerClosedAndKeepsExistingSignals(KernelFixture f) {
    Process p = f.process();
    int[] ep = f.eventPair(p);
    assertStatus(Status.OK, f.kernel().object().signal(p, ep[1], 0, Signals.EVENTPAIR_SIGNALED | Signals.USER_0));
    Outcome<WaitResult> w = new Outcome<>();
    f.kernel().object().waitOne(p, ep[1], Signals.EVENTPAIR_PEER_CLOSED, MonotonicClock.INFINITE, w);
    f.close(p, ep[0]);
    int expected = Signals.EVENTPAIR_SIGNALED | Signals.USER_0 | Signals.EVENTPAIR_PEER_CLOSED;
    assertEquals(new WaitResult(Status.OK, expected), w.get());
    assertEquals(expected, f.signals(p, ep[1]));
    assertStatus(Status.ERR_PEER_CLOSED, f.kernel().object().signalPeer(p, ep[1], 0, Signals.USER_0));
  }

  @Test
  void aDuplicateKeepsTheEndOpen(KernelFixture f) {
    Process p = f.process();
    int[] ep = f.eventPair(p);
    int dup = f.duplicate(p, ep[0], Rights.SAME_RIGHTS);
    f.close(p, ep[0]);
    assertEquals(0, f.signals(p, ep[1]), "one handle of the end remains: no PEER_CLOSED");
    assertStatus(Status.OK, f.kernel().object().signalPeer(p, dup, 0, Signals.USER_0));
    assertEquals(Signals.USER_0, f.signals(p, ep[1]));
    f.close(p, dup);
    assertEquals(Signals.USER_0 | Signals.EVENTPAIR_PEER_CLOSED, f.signals(p, ep[1]));
  }
}
