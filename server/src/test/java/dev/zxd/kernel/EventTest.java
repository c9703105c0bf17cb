package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** zx_event_create and the event object. */
@ExtendWith(KernelExtension.class)
class EventTest {

  @Test
  void nonZeroOptionsAreInvalidArgs(KernelFixture f) {
    Process p = f.process();
    for (int options : new int[] {1, 2, 0x80000000}) {
      HandleResult r = f.kernel().event().create(p, options);
      assertStatus(Status.ERR_INVALID_ARGS, r.status());
      assertEquals(0, r.out());
    }
    assertEquals(0, p.handleTableSize());
    assertEquals(1, f.kernel().objects().size(), "no event was made");
  }

  @Test
  void newEventHasDefaultRightsAndNoSignals(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    assertEquals(0xD003, Rights.DEFAULT_EVENT);
    assertEquals(0xD003, f.rights(p, ev));
    assertEquals(0, f.signals(p, ev));
    KernelObject o = f.object(p, ev);
    assertEquals(ObjectType.EVENT, o.type());
    assertEquals(0, o.relatedKoid());
    assertEquals(1, f.kernel().objects().count(ObjectType.EVENT));
  }

  @Test
  void eventsCanBeDuplicatedAndLiveUntilTheLastHandle(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    int dup = f.duplicate(p, ev, Rights.SAME_RIGHTS);
    long koid = f.koid(p, ev);
    assertStatus(Status.OK, f.kernel().object().signal(p, ev, 0, Signals.EVENT_SIGNALED));
    assertEquals(Signals.EVENT_SIGNALED, f.signals(p, dup), "both handles name one object");
    f.close(p, ev);
    assertTrue(f.alive(koid));
    f.close(p, dup);
    assertFalse(f.alive(koid));
    assertEquals(0, f.kernel().objects().count(ObjectType.EVENT));
  }

  @Test
  void eventsHaveNoPeer(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    assertStatus(Status.ERR_ACCESS_DENIED, f.kernel().object().signalPeer(p, ev, 0, Signals.USER_0));
  }
}
