package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static dev.zxd.kernel.KernelFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zxd.kernel.ChannelSyscalls.CallResult;
import dev.zxd.kernel.ChannelSyscalls.ReadResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The daemon's own per-process handle limit: over it, NO_RESOURCES, checked before anything is lost. Every test
 * here runs with room for three handles per process.
 */
@ExtendWith(KernelExtension.class)
@KernelExtension.WithConfig("threeHandles")
class LimitsTest {
  static KernelConfig threeHandles() {
    return KernelConfig.DEFAULTS.withMaxHandlesPerProcess(3);
  }

  @Test
  void creatingPastTheLimitIsNoResourcesAndMakesNothing(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int ev = f.event(p);
    int objects = f.kernel().objects().size();
    HandleResult e = f.kernel().event().create(p, 0);
    assertStatus(Status.ERR_NO_RESOURCES, e.status());
    assertEquals(0, e.out());
    assertEquals(objects, f.kernel().objects().size(), "the event made for the failed call is gone");
    f.close(p, ev);
    HandlePairResult pair = f.kernel().channel().create(p, 0);
    assertStatus(Status.ERR_NO_RESOURCES, pair.status(), "a pair needs two slots");
    assertStatus(Status.ERR_NO_RESOURCES, f.kernel().event().createPair(p, 0).status());
    assertEquals(objects - 1, f.kernel().objects().size());
    assertEquals(2, p.handleTableSize());
    assertEquals(Signals.CHANNEL_WRITABLE, f.signals(p, ch[0]));
  }

  @Test
  void duplicatePastTheLimitLeavesTheCountAlone(KernelFixture f) {
    Process p = f.process();
    int a = f.event(p);
    f.event(p);
    f.event(p);
    HandleResult r = f.kernel().handle().duplicate(p, a, Rights.SAME_RIGHTS);
    assertStatus(Status.ERR_NO_RESOURCES, r.status());
    assertEquals(1, f.object(p, a).handleCount());
  }

  @Test
  void replaceWorksInAFullTable(KernelFixture f) {
    Process p = f.process();
    int a = f.event(p);
    f.event(p);
    f.event(p);
    int replaced = f.replace(p, a, Rights.WAIT);
    assertEquals(Rights.WAIT, f.rights(p, replaced));
    assertEquals(3, p.handleTableSize());
  }

  @Test
  void readWithNoRoomIsNoResourcesAndTheMessageStaysQueued(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int ev = f.event(p);
    long koid = f.koid(p, ev);
    f.writeOk(p, ch[0], "with an event", ev);
    int filler = f.event(p);
    ReadResult r = f.read(p, ch[1]);
    assertStatus(Status.ERR_NO_RESOURCES, r.status());
    assertTrue((f.signals(p, ch[1]) & Signals.CHANNEL_READABLE) != 0);
    assertEquals(1, ((Channel) f.object(p, ch[1])).queuedMessages());
    assertEquals(1, f.kernel().objects().get(koid).handleCount(), "the handle in the message survived");
    f.close(p, filler);
    ReadResult again = f.readOk(p, ch[1]);
    assertEquals(bytes("with an event"), again.bytes());
    assertEquals(koid, f.koid(p, again.handles()[0]));
  }

  @Test
  void childCreationNeedsRoomForTheProcessHandle(KernelFixture f) {
    Process parent = f.process();
    f.event(parent);
    f.event(parent);
    f.event(parent);
    int processes = f.kernel().processes().size();
    ProcessSyscalls.CreateResult r = f.kernel().process().create(parent, "no room", 0);
    assertStatus(Status.ERR_NO_RESOURCES, r.status());
    assertEquals(processes, f.kernel().processes().size(), "the child made for the failed call is gone");
    assertEquals(processes, f.kernel().objects().count(ObjectType.PROCESS));
  }

  @Test
  void replyWithNoRoomIsNoResourcesAndItsHandlesAreClosed(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    ProcessSyscalls.CreateResult server = f.kernel().process().create(p, "server", 0);
    assertStatus(Status.OK, f.kernel().process().start(p, server.procHandle(), ch[1]));
    Process q = server.process();
    Outcome<Process.StartupInfo> started = new Outcome<>();
    q.whenStarted(started);
    int serverEnd = started.get().arg1();
    f.event(p); // p: ch[0], the process handle, this event: full
    Outcome<CallResult> out = new Outcome<>();
    f.kernel().channel().call(p, ch[0], 0, MonotonicClock.INFINITE, bytes("\0\0\0\0?"), new int[0], 100, 4, out);
    ReadResult request = f.readOk(q, serverEnd);
    int ev = f.event(q);
    long koid = f.koid(q, ev);
    assertStatus(Status.OK, f.write(q, serverEnd, request.bytes().substring(0, 4), ev));
    assertStatus(Status.ERR_NO_RESOURCES, out.get().status());
    assertFalse(f.alive(koid), "the reply was destroyed with its handle");
    assertEquals(3, p.handleTableSize());
  }

  @Test
  void everyCreateChecksTheRoomBeforeMakingAnything(KernelFixture f) {
    Process p = f.process();
    int a = f.event(p);
    f.event(p);
    f.event(p);
    int objects = f.kernel().objects().size();
    assertStatus(Status.ERR_NO_RESOURCES, f.kernel().event().create(p, 0).status());
    assertStatus(Status.ERR_NO_RESOURCES, f.kernel().event().createPair(p, 0).status());
    assertStatus(Status.ERR_NO_RESOURCES, f.kernel().channel().create(p, 0).status());
    assertStatus(Status.ERR_NO_RESOURCES, f.kernel().socket().create(p, 0).status());
    assertStatus(Status.ERR_NO_RESOURCES, f.kernel().fifo().create(p, 4, 4, 0).status());
    assertStatus(Status.ERR_NO_RESOURCES, f.kernel().port().create(p, 0).status());
    assertStatus(Status.ERR_NO_RESOURCES, f.kernel().timer().create(p, 0, 0).status());
    assertStatus(Status.ERR_NO_RESOURCES, f.kernel().vmo().create(p, 4096, 0).status());
    assertStatus(Status.ERR_NO_RESOURCES, f.kernel().handle().duplicate(p, a, Rights.SAME_RIGHTS).status());
    assertEquals(objects, f.kernel().objects().size());
    assertEquals(0, f.kernel().memory().used(), "the FIFO's buffers were never charged");
    long lastKoid = f.koid(p, a) + 2;
    f.close(p, a);
    assertEquals(lastKoid + 1, f.koid(p, f.event(p)), "no object was even numbered for the failed calls");
  }

  static KernelConfig fourHandles() {
    return KernelConfig.DEFAULTS.withMaxHandlesPerProcess(4);
  }

  @Test
  @KernelExtension.WithConfig("fourHandles")
  void acceptWithNoRoomIsNoResourcesAndTheSocketStaysParked(KernelFixture f) {
    Process owner = f.process();
    int[] ab = pair(f, owner, Socket.HAS_ACCEPT);
    ProcessSyscalls.CreateResult child = f.kernel().process().create(owner, "acceptor", 0);
    assertStatus(Status.OK, f.kernel().process().start(owner, child.procHandle(), ab[1]));
    Process acceptor = child.process();
    Outcome<Process.StartupInfo> started = new Outcome<>();
    acceptor.whenStarted(started);
    int b = started.get().arg1();
    int[] xy = pair(f, owner, 0);
    long koid = f.koid(owner, xy[0]);
    assertStatus(Status.OK, f.kernel().socket().share(owner, ab[0], xy[0]));
    int filler = f.event(acceptor);
    f.event(acceptor);
    f.event(acceptor);

    assertStatus(Status.ERR_NO_RESOURCES, f.kernel().socket().accept(acceptor, b).status());
    assertTrue((f.signals(acceptor, b) & Signals.SOCKET_ACCEPT) != 0, "still parked, still signalled");
    assertEquals(1, f.kernel().objects().get(koid).handleCount());
    f.close(acceptor, filler);
    HandleResult accepted = f.kernel().socket().accept(acceptor, b);
    assertStatus(Status.OK, accepted.status());
    assertEquals(koid, f.koid(acceptor, accepted.out()));
  }

  @Test
  void redeemingATokenWithNoRoomIsNoResourcesAndTheTokenStaysValid(KernelFixture f) {
    Process owner = f.process();
    int[] s = pair(f, owner, 0);
    Process target = f.process();
    int a = f.event(target);
    f.event(target);
    f.event(target);
    SocketSyscalls.TokenResult t = f.kernel().socket().duplicateForProcess(owner, s[0], target.koid());
    assertStatus(Status.OK, t.status());
    HandleResult full = f.kernel().socket().createFromProtocolInfo(target, t.info().token());
    assertStatus(Status.ERR_NO_RESOURCES, full.status());
    assertEquals(1, f.kernel().tokens().size(), "the token was not spent");
    assertEquals(2, f.object(owner, s[0]).handleCount(), "the owner's handle and the token's");
    f.close(target, a);
    HandleResult redeemed = f.kernel().socket().createFromProtocolInfo(target, t.info().token());
    assertStatus(Status.OK, redeemed.status());
    assertEquals(f.koid(owner, s[0]), f.koid(target, redeemed.out()));
    assertEquals(0, f.kernel().tokens().size());
  }

  static KernelConfig twoProcesses() {
    return KernelConfig.DEFAULTS.withMaxProcesses(2);
  }

  @Test
  @KernelExtension.WithConfig("twoProcesses")
  void theProcessLimitFreesASlotWhenAProcessDies(KernelFixture f) {
    Process first = f.process();
    Process second = f.process();
    int objects = f.kernel().objects().size();
    assertStatus(Status.ERR_NO_RESOURCES, f.kernel().process().create(null, "third", 0).status());
    assertStatus(Status.ERR_NO_RESOURCES, f.kernel().process().create(first, "child", 0).status());
    assertEquals(objects, f.kernel().objects().size(), "no process object was made");
    assertEquals(0, first.handleTableSize());
    assertTrue(second.isAlive());
    second.kill(Process.RETCODE_KILLED);
    ProcessSyscalls.CreateResult third = f.kernel().process().create(null, "third", 0);
    assertStatus(Status.OK, third.status());
    assertEquals(2, f.kernel().processes().size());
  }

  private static int[] pair(KernelFixture f, Process p, int options) {
    HandlePairResult r = f.kernel().socket().create(p, options);
    assertStatus(Status.OK, r.status());
    return new int[] {r.out0(), r.out1()};
  }
}
