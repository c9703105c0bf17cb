package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zxd.kernel.ObjectSyscalls.InfoResult;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** zx_object_get_info: HANDLE_VALID, HANDLE_BASIC, HANDLE_COUNT, PROCESS_HANDLE_STATS. */
@ExtendWith(KernelExtension.class)
class ObjectGetInfoTest {
  private static final int BASIC_SIZE = 32;

  private static InfoRecord.HandleBasic basic(KernelFixture f, Process p, int h) {
    InfoResult r = f.kernel().object().getInfo(p, h, ObjectSyscalls.INFO_HANDLE_BASIC, BASIC_SIZE);
    assertStatus(Status.OK, r.status(), "HANDLE_BASIC");
    assertEquals(1, r.actual());
    assertEquals(1, r.avail());
    return assertInstanceOf(InfoRecord.HandleBasic.class, r.record());
  }

  private static int handleCount(KernelFixture f, Process p, int h) {
    InfoResult r = f.kernel().object().getInfo(p, h, ObjectSyscalls.INFO_HANDLE_COUNT, 4);
    assertStatus(Status.OK, r.status(), "HANDLE_COUNT");
    return ((InfoRecord.HandleCount) r.record()).handleCount();
  }

  @Test
  void handleValid(KernelFixture f) {
    Process p = f.process();
    int ev = f.replace(p, f.event(p), Rights.NONE);
    assertStatus(Status.OK, f.kernel().object().getInfo(p, ev, ObjectSyscalls.INFO_HANDLE_VALID, 0).status(),
        "no rights needed");
    assertStatus(Status.ERR_BAD_HANDLE, f.kernel().object().getInfo(p, 0, ObjectSyscalls.INFO_HANDLE_VALID, 0).status());
    f.close(p, ev);
    assertStatus(Status.ERR_BAD_HANDLE, f.kernel().object().getInfo(p, ev, ObjectSyscalls.INFO_HANDLE_VALID, 0).status());
  }

  @Test
  void handleBasicDescribesEachObject(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int ev = f.event(p);
    int[] ep = f.eventPair(p);
    ProcessSyscalls.CreateResult child = f.kernel().process().create(p, "child", 0);

    InfoRecord.HandleBasic a = basic(f, p, ch[0]);
    InfoRecord.HandleBasic b = basic(f, p, ch[1]);
    assertEquals(ObjectType.CHANNEL, a.type());
    assertEquals(0xF00E, a.rights());
    assertEquals(b.koid(), a.relatedKoid());
    assertEquals(a.koid(), b.relatedKoid());

    InfoRecord.HandleBasic e = basic(f, p, ev);
    assertEquals(ObjectType.EVENT, e.type());
    assertEquals(0xD003, e.rights());
    assertEquals(0, e.relatedKoid());

    InfoRecord.HandleBasic x = basic(f, p, ep[0]);
    InfoRecord.HandleBasic y = basic(f, p, ep[1]);
    assertEquals(ObjectType.EVENTPAIR, x.type());
    assertEquals(0xF003, x.rights());
    assertEquals(y.koid(), x.relatedKoid());

    InfoRecord.HandleBasic proc = basic(f, p, child.procHandle());
    assertEquals(ObjectType.PROCESS, proc.type());
    assertEquals(0x6D3CF, proc.rights());
    assertEquals(child.process().koid(), proc.koid());
    assertEquals(0, proc.relatedKoid());

    Set<Long> koids = new HashSet<>(Set.of(a.koid(), b.koid(), e.koid(), x.koid(), y.koid(), proc.koid(), p.koid()));
    assertEquals(7, koids.size(), "koids are unique");
    for (long k : koids) {
      assertTrue(k > 1, "koid " + k + " is neither INVALID (0) nor KERNEL (1)");
    }
  }

  @Test
  void handleBasicNeedsNoRightsAndShowsTheHandlesRights(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    int none = f.duplicate(p, ev, Rights.NONE);
    assertEquals(Rights.NONE, basic(f, p, none).rights());
    assertEquals(basic(f, p, ev).koid(), basic(f, p, none).koid());
  }

  @Test
  void relatedKoidRemainsAfterThePeerCloses(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    long peer = basic(f, p, ch[1]).koid();
    f.close(p, ch[1]);
    assertEquals(peer, basic(f, p, ch[0]).relatedKoid());
  }

  @Test
  void fixedSizeRecordsNeedRoom(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    InfoResult r = f.kernel().object().getInfo(p, ev, ObjectSyscalls.INFO_HANDLE_BASIC, BASIC_SIZE - 1);
    assertStatus(Status.ERR_BUFFER_TOO_SMALL, r.status());
    assertEquals(0, r.actual());
    assertEquals(1, r.avail());
    assertNull(r.record());
    InfoResult c = f.kernel().object().getInfo(p, ev, ObjectSyscalls.INFO_HANDLE_COUNT, 3);
    assertStatus(Status.ERR_BUFFER_TOO_SMALL, c.status());
    assertEquals(1, c.avail());
  }

  @Test
  void unknownTopicIsNotSupportedBeforeTheHandleIsLookedAt(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    assertStatus(Status.ERR_NOT_SUPPORTED, f.kernel().object().getInfo(p, ev, 9999, 4096).status());
    assertStatus(Status.ERR_NOT_SUPPORTED, f.kernel().object().getInfo(p, 0, 9999, 4096).status());
    assertStatus(Status.ERR_BAD_HANDLE,
        f.kernel().object().getInfo(p, 0, ObjectSyscalls.INFO_HANDLE_BASIC, BASIC_SIZE).status());
  }

  @Test
  void handleCountIncludesHandlesInFlight(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    int[] ch = f.channel(p);
    assertEquals(1, handleCount(f, p, ev));
    int d1 = f.duplicate(p, ev, Rights.SAME_RIGHTS);
    int d2 = f.duplicate(p, ev, Rights.SAME_RIGHTS);
    assertEquals(3, handleCount(f, p, ev));
    f.writeOk(p, ch[0], "", d1, d2);
    assertEquals(3, handleCount(f, p, ev), "two of them are in a message");
    f.close(p, ch[1]);
    assertEquals(1, handleCount(f, p, ev), "destroying the message closed them");
  }

  @Test
  void handleCountNeedsInspect(KernelFixture f) {
    Process p = f.process();
    int ev = f.replace(p, f.event(p), Rights.DEFAULT_EVENT & ~Rights.INSPECT);
    assertStatus(Status.ERR_ACCESS_DENIED,
        f.kernel().object().getInfo(p, ev, ObjectSyscalls.INFO_HANDLE_COUNT, 4).status());
    assertStatus(Status.ERR_BAD_HANDLE,
        f.kernel().object().getInfo(p, 0, ObjectSyscalls.INFO_HANDLE_COUNT, 4).status());
  }

  @Test
  void processHandleStatsCountsByType(KernelFixture f) {
    Process parent = f.process();
    ProcessSyscalls.CreateResult child = f.kernel().process().create(parent, "child", 0);
    int[] ch = f.channel(parent);
    assertStatus(Status.OK, f.kernel().process().start(parent, child.procHandle(), ch[1]));
    Process c = child.process();
    f.event(c);
    f.event(c);
    f.eventPair(c);
    InfoResult r = f.kernel().object().getInfo(parent, child.procHandle(), ObjectSyscalls.INFO_PROCESS_HANDLE_STATS,
        4 * ObjectType.UPPER_BOUND);
    assertStatus(Status.OK, r.status());
    int[] counts = ((InfoRecord.ProcessHandleStats) r.record()).handleCount();
    assertEquals(1, counts[ObjectType.CHANNEL]);
    assertEquals(2, counts[ObjectType.EVENT]);
    assertEquals(2, counts[ObjectType.EVENTPAIR]);
    assertEquals(0, counts[ObjectType.PROCESS]);
    assertStatus(Status.ERR_BUFFER_TOO_SMALL, f.kernel().object().getInfo(parent, child.procHandle(),
        ObjectSyscalls.INFO_PROCESS_HANDLE_STATS, 4 * ObjectType.UPPER_BOUND - 1).status());
  }

  @Test
  void processHandleStatsWrongTypeWinsOverAccessDenied(KernelFixture f) {
    Process p = f.process();
    int ev = f.replace(p, f.event(p), Rights.NONE); // not a process, and no INSPECT
    assertStatus(Status.ERR_WRONG_TYPE, f.kernel().object().getInfo(p, ev, ObjectSyscalls.INFO_PROCESS_HANDLE_STATS,
        4 * ObjectType.UPPER_BOUND).status());
    ProcessSyscalls.CreateResult child = f.kernel().process().create(p, "c", 0);
    int noInspect = f.replace(p, child.procHandle(), Rights.DEFAULT_PROCESS & ~Rights.INSPECT);
    assertStatus(Status.ERR_ACCESS_DENIED, f.kernel().object().getInfo(p, noInspect,
        ObjectSyscalls.INFO_PROCESS_HANDLE_STATS, 4 * ObjectType.UPPER_BOUND).status());
    assertNotEquals(ev, noInspect);
  }
}
