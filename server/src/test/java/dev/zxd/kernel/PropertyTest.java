package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zxd.kernel.ObjectSyscalls.PropertyResult;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** zx_object_get_property / set_property (ZX_PROP_NAME on processes). */
@ExtendWith(KernelExtension.class)
class PropertyTest {
  private static final int NAME_LEN = Limits.MAX_NAME_LEN;

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String name(KernelFixture f, Process p, int h) {
    PropertyResult r = f.kernel().object().getProperty(p, h, ObjectSyscalls.PROP_NAME, NAME_LEN);
    assertStatus(Status.OK, r.status(), "get_property(NAME)");
    return new String(r.value(), StandardCharsets.UTF_8);
  }

  @Test
  void processNameCanBeReadAndChanged(KernelFixture f) {
    Process parent = f.process();
    ProcessSyscalls.CreateResult child = f.kernel().process().create(parent, "worker", 0);
    int h = child.procHandle();
    assertEquals("worker", name(f, parent, h));
    assertStatus(Status.OK, f.kernel().object().setProperty(parent, h, ObjectSyscalls.PROP_NAME, utf8("renamed"), 0));
    assertEquals("renamed", name(f, parent, h));
    assertEquals("renamed", child.process().name());
  }

  @Test
  void namesAreTruncatedToThirtyOneBytesAndAtNul(KernelFixture f) {
    Process parent = f.process();
    String longName = "0123456789abcdefghijklmnopqrstuvwxyz";
    ProcessSyscalls.CreateResult child = f.kernel().process().create(parent, longName, 0);
    int h = child.procHandle();
    assertEquals(longName.substring(0, 31), name(f, parent, h));
    assertStatus(Status.OK, f.kernel().object().setProperty(parent, h, ObjectSyscalls.PROP_NAME, utf8(longName), 0));
    assertEquals(longName.substring(0, 31), name(f, parent, h));
    assertStatus(Status.OK,
        f.kernel().object().setProperty(parent, h, ObjectSyscalls.PROP_NAME, utf8("short\0ignored"), 0));
    assertEquals("short", name(f, parent, h));
  }

  @Test
  void bufferSmallerThanMaxNameIsBufferTooSmall(KernelFixture f) {
    Process parent = f.process();
    int h = f.kernel().process().create(parent, "x", 0).procHandle();
    assertStatus(Status.ERR_BUFFER_TOO_SMALL,
        f.kernel().object().getProperty(parent, h, ObjectSyscalls.PROP_NAME, NAME_LEN - 1).status());
  }

  @Test
  void unknownPropertyIsInvalidArgs(KernelFixture f) {
    Process parent = f.process();
    int h = f.kernel().process().create(parent, "x", 0).procHandle();
    assertStatus(Status.ERR_INVALID_ARGS, f.kernel().object().getProperty(parent, h, 9999, 4096).status());
    assertStatus(Status.ERR_INVALID_ARGS, f.kernel().object().setProperty(parent, h, 9999, new byte[8], 0));
    // Unknown property is checked before the buffer size.
    assertStatus(Status.ERR_INVALID_ARGS, f.kernel().object().getProperty(parent, h, 9999, 0).status());
  }

  @Test
  void propertiesNeedTheirRights(KernelFixture f) {
    Process parent = f.process();
    int h = f.kernel().process().create(parent, "keep", 0).procHandle();
    int noGet = f.duplicate(parent, h, Rights.DEFAULT_PROCESS & ~Rights.GET_PROPERTY);
    int noSet = f.duplicate(parent, h, Rights.DEFAULT_PROCESS & ~Rights.SET_PROPERTY);
    assertStatus(Status.ERR_ACCESS_DENIED,
        f.kernel().object().getProperty(parent, noGet, ObjectSyscalls.PROP_NAME, NAME_LEN).status());
    assertStatus(Status.ERR_ACCESS_DENIED,
        f.kernel().object().getProperty(parent, noGet, 9999, 0).status(), "rights are checked before the property");
    assertStatus(Status.ERR_ACCESS_DENIED,
        f.kernel().object().setProperty(parent, noSet, ObjectSyscalls.PROP_NAME, utf8("changed"), 0));
    assertEquals("keep", name(f, parent, noSet));
    assertStatus(Status.ERR_BAD_HANDLE,
        f.kernel().object().getProperty(parent, 0, ObjectSyscalls.PROP_NAME, NAME_LEN).status());
    assertStatus(Status.ERR_BAD_HANDLE,
        f.kernel().object().setProperty(parent, 0, ObjectSyscalls.PROP_NAME, utf8("x"), 0));
  }

  @Test
  void channelsAndEventsHaveNoPropertyRights(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int ev = f.event(p);
    for (int h : new int[] {ch[0], ev}) {
      assertStatus(Status.ERR_ACCESS_DENIED,
          f.kernel().object().getProperty(p, h, ObjectSyscalls.PROP_NAME, NAME_LEN).status());
      assertStatus(Status.ERR_ACCESS_DENIED,
          f.kernel().object().setProperty(p, h, ObjectSyscalls.PROP_NAME, utf8("x"), 0));
    }
  }

  @Test
  void propertiesOfTheWrongObjectAreWrongTypeAfterTheRightsCheck(KernelFixture f) {
    Process parent = f.process();
    int proc = f.kernel().process().create(parent, "x", 0).procHandle();
    HandlePairResult sockets = f.kernel().socket().create(parent, 0);
    assertStatus(Status.OK, sockets.status());
    int socket = sockets.out0(); // sockets have GET_PROPERTY and SET_PROPERTY, but no name
    assertStatus(Status.ERR_WRONG_TYPE,
        f.kernel().object().getProperty(parent, socket, ObjectSyscalls.PROP_NAME, NAME_LEN).status());
    assertStatus(Status.ERR_WRONG_TYPE,
        f.kernel().object().setProperty(parent, socket, ObjectSyscalls.PROP_NAME, utf8("named"), 0));
    assertStatus(Status.ERR_WRONG_TYPE,
        f.kernel().object().getProperty(parent, proc, ObjectSyscalls.PROP_SOCKET_RX_THRESHOLD, 8).status());
    assertStatus(Status.ERR_WRONG_TYPE,
        f.kernel().object().setProperty(parent, proc, ObjectSyscalls.PROP_SOCKET_TX_THRESHOLD, new byte[0], 1));
    int noGet = f.replace(parent, socket, Rights.DEFAULT_SOCKET & ~Rights.GET_PROPERTY);
    assertStatus(Status.ERR_ACCESS_DENIED,
        f.kernel().object().getProperty(parent, noGet, ObjectSyscalls.PROP_NAME, NAME_LEN).status());
  }
}
