package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** ZX_INFO_PROCESS: what a parent can learn of its child. */
@ExtendWith(KernelExtension.class)
class ProcessInfoTest {
  private static InfoRecord.ProcessInfo info(KernelFixture f, Process parent, int handle) {
    ObjectSyscalls.InfoResult r = f.kernel().object().getInfo(parent, handle, ObjectSyscalls.INFO_PROCESS, 24);
    assertStatus(Status.OK, r.status(), "get_info");
    return (InfoRecord.ProcessInfo) r.record();
  }

  @Test
  void flagsAndReturnCodeFollowTheChildsLife(KernelFixture f) {
    Process parent = f.process();
    ProcessSyscalls.CreateResult child = f.kernel().process().create(parent, "child", 0);
    int h = child.procHandle();
    assertEquals(0, info(f, parent, h).flags(), "not started");
    assertEquals(0, info(f, parent, h).startTime());
    assertStatus(Status.OK, f.kernel().process().start(parent, h, 0));
    assertEquals(1, info(f, parent, h).flags(), "STARTED");
    f.kernel().process().exit(child.process(), 7);
    InfoRecord.ProcessInfo dead = info(f, parent, h);
    assertEquals(3, dead.flags(), "STARTED | EXITED");
    assertEquals(7, dead.returnCode());
  }

  @Test
  void needsInspectAProcessAndRoom(KernelFixture f) {
    Process parent = f.process();
    int h = f.kernel().process().create(parent, "child", 0).procHandle();
    assertStatus(Status.ERR_BUFFER_TOO_SMALL,
        f.kernel().object().getInfo(parent, h, ObjectSyscalls.INFO_PROCESS, 23).status());
    int event = f.event(parent);
    assertStatus(Status.ERR_WRONG_TYPE,
        f.kernel().object().getInfo(parent, event, ObjectSyscalls.INFO_PROCESS, 24).status());
    int reduced = f.kernel().handle().duplicate(parent, h, Rights.WAIT).out();
    assertStatus(Status.ERR_ACCESS_DENIED,
        f.kernel().object().getInfo(parent, reduced, ObjectSyscalls.INFO_PROCESS, 24).status());
  }
}
