package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static dev.zxd.kernel.VmoTest.PAGE;
import static dev.zxd.kernel.VmoTest.vmo;
import static dev.zxd.kernel.VmoTest.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.zxd.kernel.InfoRecord.VmoInfo;
import dev.zxd.kernel.ObjectSyscalls.InfoResult;
import dev.zxd.kernel.ObjectSyscalls.PropertyResult;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** ZX_INFO_VMO (both topic numbers) and ZX_PROP_NAME on VMOs. */
@ExtendWith(KernelExtension.class)
class VmoInfoTest {
  private static final int V1 = ObjectSyscalls.INFO_VMO_V1;
  private static final int CURRENT = ObjectSyscalls.INFO_VMO;
  private static final int FLAG_PAGED = 1;
  private static final int FLAG_RESIZABLE = 2;
  private static final int FLAG_VIA_HANDLE = 8;
  private static final int FLAG_DISCARDABLE = 128;

  private static VmoInfo info(KernelFixture f, Process p, int h, int topic) {
    InfoResult r = f.kernel().object().getInfo(p, h, topic, topic == CURRENT ? 120 : 104);
    assertStatus(Status.OK, r.status(), "get_info(ZX_INFO_VMO " + KernelFixture.hex(topic) + ")");
    assertEquals(1, r.actual());
    assertEquals(1, r.avail());
    return (VmoInfo) r.record();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String name(KernelFixture f, Process p, int h) {
    PropertyResult r = f.kernel().object().getProperty(p, h, ObjectSyscalls.PROP_NAME, 32);
    assertStatus(Status.OK, r.status(), "get_property(ZX_PROP_NAME)");
    return new String(r.value(), StandardCharsets.UTF_8);
  }

  @Test
  void topicNumbers(KernelFixture f) {
    assertEquals(23, V1);
    assertEquals(0x20000017, CURRENT);
  }

  @Test
  void bothTopicsDescribeTheVmo(KernelFixture f) {
    Process p = f.process();
    int h = vmo(f, p, 3 * PAGE - 5, 0);
    write(f, p, h, PAGE + 1, KernelFixture.bytes("x"));
    for (int topic : new int[] {V1, CURRENT}) {
      VmoInfo i = info(f, p, h, topic);
      assertEquals(f.koid(p, h), i.koid());
      assertEquals("", i.name());
      assertEquals(3L * PAGE, i.sizeBytes());
      assertEquals(FLAG_PAGED | FLAG_VIA_HANDLE, i.flags());
      assertEquals(PAGE, i.committedBytes(), "one page written");
      assertEquals(Rights.DEFAULT_VMO, i.handleRights());
      assertEquals(1, i.shareCount());
    }
  }

  @Test
  void flagsFollowTheCreateOptions(KernelFixture f) {
    Process p = f.process();
    assertEquals(FLAG_PAGED | FLAG_VIA_HANDLE | FLAG_RESIZABLE,
        info(f, p, vmo(f, p, PAGE, Vmo.RESIZABLE), CURRENT).flags());
    assertEquals(FLAG_PAGED | FLAG_VIA_HANDLE | FLAG_DISCARDABLE,
        info(f, p, vmo(f, p, PAGE, Vmo.DISCARDABLE), CURRENT).flags());
    assertEquals(FLAG_PAGED | FLAG_VIA_HANDLE | FLAG_RESIZABLE | FLAG_DISCARDABLE,
        info(f, p, vmo(f, p, PAGE, Vmo.RESIZABLE | Vmo.DISCARDABLE), V1).flags());
    int resizable = vmo(f, p, PAGE, Vmo.RESIZABLE);
    assertEquals(Rights.DEFAULT_VMO | Rights.RESIZE, info(f, p, resizable, CURRENT).handleRights());
  }

  @Test
  void rightsAndShareCountAreThoseOfTheQueriedHandle(KernelFixture f) {
    Process p = f.process();
    int h = vmo(f, p, PAGE, Vmo.RESIZABLE);
    int weak = f.duplicate(p, h, 0);
    int ro = f.duplicate(p, h, Rights.READ | Rights.DUPLICATE);
    assertEquals(0, info(f, p, weak, CURRENT).handleRights(), "no right is needed to ask");
    assertEquals(Rights.READ | Rights.DUPLICATE, info(f, p, ro, V1).handleRights());
    assertEquals(3, info(f, p, h, CURRENT).shareCount());
    f.close(p, weak, ro);
    assertEquals(1, info(f, p, h, CURRENT).shareCount());
  }

  @Test
  void sizeAndCommittedFollowResizes(KernelFixture f) {
    Process p = f.process();
    int h = vmo(f, p, 4 * PAGE, Vmo.RESIZABLE);
    write(f, p, h, 0, VmoTest.pattern(4 * PAGE, 1));
    assertEquals(4L * PAGE, info(f, p, h, CURRENT).committedBytes());
    assertStatus(Status.OK, f.kernel().vmo().setSize(p, h, 2 * PAGE));
    VmoInfo i = info(f, p, h, CURRENT);
    assertEquals(2L * PAGE, i.sizeBytes());
    assertEquals(2L * PAGE, i.committedBytes());
  }

  @Test
  void bufferSizesPerTopic(KernelFixture f) {
    Process p = f.process();
    int h = vmo(f, p, PAGE, 0);
    InfoResult small = f.kernel().object().getInfo(p, h, V1, 103);
    assertStatus(Status.ERR_BUFFER_TOO_SMALL, small.status());
    assertEquals(0, small.actual());
    assertEquals(1, small.avail());
    assertNull(small.record());
    assertStatus(Status.OK, f.kernel().object().getInfo(p, h, V1, 104).status());
    // The current record is 120 bytes: a buffer sized for the first version is too small for it.
    InfoResult v1Sized = f.kernel().object().getInfo(p, h, CURRENT, 104);
    assertStatus(Status.ERR_BUFFER_TOO_SMALL, v1Sized.status());
    assertEquals(0, v1Sized.actual());
    assertEquals(1, v1Sized.avail());
    assertStatus(Status.ERR_BUFFER_TOO_SMALL, f.kernel().object().getInfo(p, h, CURRENT, 119).status());
    assertStatus(Status.OK, f.kernel().object().getInfo(p, h, CURRENT, 4096).status());
  }

  @Test
  void infoVmoOnOtherHandles(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    assertStatus(Status.ERR_WRONG_TYPE, f.kernel().object().getInfo(p, ev, CURRENT, 120).status());
    assertStatus(Status.ERR_WRONG_TYPE, f.kernel().object().getInfo(p, ev, V1, 104).status());
    assertStatus(Status.ERR_BAD_HANDLE, f.kernel().object().getInfo(p, 0, CURRENT, 120).status());
  }

  @Test
  void handleBasicOfAVmo(KernelFixture f) {
    Process p = f.process();
    int h = vmo(f, p, PAGE, 0);
    InfoResult r = f.kernel().object().getInfo(p, h, ObjectSyscalls.INFO_HANDLE_BASIC, 32);
    assertStatus(Status.OK, r.status());
    InfoRecord.HandleBasic b = (InfoRecord.HandleBasic) r.record();
    assertEquals(ObjectType.VMO, b.type());
    assertEquals(3, b.type());
    assertEquals(Rights.DEFAULT_VMO, b.rights());
    assertEquals(0, b.relatedKoid());
  }

  // ---- ZX_PROP_NAME ----

  @Test
  void nameStartsEmptyAndCanBeSet(KernelFixture f) {
    Process p = f.process();
    int h = vmo(f, p, PAGE, 0);
    assertEquals("", name(f, p, h));
    assertStatus(Status.OK, f.kernel().object().setProperty(p, h, ObjectSyscalls.PROP_NAME, utf8("heap"), 0));
    assertEquals("heap", name(f, p, h));
    assertEquals("heap", info(f, p, h, CURRENT).name(), "ZX_INFO_VMO reports the name");
    assertEquals("heap", info(f, p, h, V1).name());
    int dup = f.duplicate(p, h, Rights.SAME_RIGHTS);
    assertEquals("heap", name(f, p, dup), "the name belongs to the object");
    assertStatus(Status.OK, f.kernel().object().setProperty(p, dup, ObjectSyscalls.PROP_NAME, utf8("stack"), 0));
    assertEquals("stack", name(f, p, h));
    // Each VMO has its own.
    int other = vmo(f, p, PAGE, 0);
    assertEquals("", name(f, p, other));
  }

  @Test
  void nameIsTruncatedTo31BytesAndStopsAtNul(KernelFixture f) {
    Process p = f.process();
    int h = vmo(f, p, PAGE, 0);
    String longName = "abcdefghijklmnopqrstuvwxyz0123456789";
    assertStatus(Status.OK, f.kernel().object().setProperty(p, h, ObjectSyscalls.PROP_NAME, utf8(longName), 0));
    assertEquals(longName.substring(0, 31), name(f, p, h));
    assertStatus(Status.OK,
        f.kernel().object().setProperty(p, h, ObjectSyscalls.PROP_NAME, utf8("short\0ignored"), 0));
    assertEquals("short", name(f, p, h));
    assertStatus(Status.OK, f.kernel().object().setProperty(p, h, ObjectSyscalls.PROP_NAME, new byte[0], 0));
    assertEquals("", name(f, p, h));
  }

  @Test
  void nameNeedsThePropertyRightsAndABigEnoughBuffer(KernelFixture f) {
    Process p = f.process();
    int h = vmo(f, p, PAGE, 0);
    assertStatus(Status.OK, f.kernel().object().setProperty(p, h, ObjectSyscalls.PROP_NAME, utf8("n"), 0));
    int noGet = f.duplicate(p, h, Rights.DEFAULT_VMO & ~Rights.GET_PROPERTY);
    int noSet = f.duplicate(p, h, Rights.DEFAULT_VMO & ~Rights.SET_PROPERTY);
    assertStatus(Status.ERR_ACCESS_DENIED,
        f.kernel().object().getProperty(p, noGet, ObjectSyscalls.PROP_NAME, 32).status());
    assertStatus(Status.ERR_ACCESS_DENIED,
        f.kernel().object().setProperty(p, noSet, ObjectSyscalls.PROP_NAME, utf8("x"), 0));
    assertEquals("n", name(f, p, noSet));
    PropertyResult small = f.kernel().object().getProperty(p, h, ObjectSyscalls.PROP_NAME, 31);
    assertStatus(Status.ERR_BUFFER_TOO_SMALL, small.status());
    assertArrayEquals(new byte[0], small.value());
  }
}
