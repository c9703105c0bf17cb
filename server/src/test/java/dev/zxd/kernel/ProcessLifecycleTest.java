package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zxd.kernel.ObjectSyscalls.WaitResult;
import dev.zxd.kernel.ProcessSyscalls.CreateResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Processes as sessions: create, start (arg1), kill / exit, TASK_TERMINATED, leases. */
@ExtendWith(KernelExtension.class)
class ProcessLifecycleTest {

  static KernelConfig tinyGrace() {
    return KernelConfig.DEFAULTS.withGracePeriod(Duration.ofMillis(50));
  }

  static KernelConfig shortLeaseLongGrace() {
    return KernelConfig.DEFAULTS.withLease(Duration.ofMillis(50)).withGracePeriod(Duration.ofSeconds(30));
  }

  static KernelConfig twoProcesses() {
    return KernelConfig.DEFAULTS.withMaxProcesses(2);
  }

  private static CreateResult child(KernelFixture f, Process parent, String name) {
    CreateResult r = f.kernel().process().create(parent, name, 0);
    assertStatus(Status.OK, r.status(), "process create");
    return r;
  }

  private static int startedArg1(Process child) {
    Outcome<Process.StartupInfo> started = new Outcome<>();
    child.whenStarted(started);
    return started.get().arg1();
  }

  // ---- create ----

  @Test
  void topLevelProcessIsRunningWithASessionAndNoHandle(KernelFixture f) {
    CreateResult r = f.kernel().process().create(null, "top", 0);
    assertStatus(Status.OK, r.status());
    assertEquals(0, r.procHandle());
    Process p = r.process();
    assertEquals(Process.State.RUNNING, p.state());
    assertEquals(0, p.parentKoid());
    assertFalse(r.sessionToken().isEmpty());
    assertSame(p, f.kernel().processes().resolve(r.sessionToken()));
    assertSame(p, f.kernel().processes().get(p.koid()));
    assertEquals(ObjectType.PROCESS, p.type());
    assertEquals("top", p.name());
  }

  @Test
  void createRejectsOptions(KernelFixture f) {
    Process parent = f.process();
    assertStatus(Status.ERR_INVALID_ARGS, f.kernel().process().create(parent, "x", 1).status());
    assertStatus(Status.ERR_INVALID_ARGS, f.kernel().process().create(null, "x", 1).status());
    assertEquals(1, f.kernel().processes().size());
  }

  @Test
  void childIsNewAndItsParentGetsAHandle(KernelFixture f) {
    Process parent = f.process();
    CreateResult r = child(f, parent, "kid");
    Process kid = r.process();
    assertEquals(Process.State.NEW, kid.state());
    assertEquals(parent.koid(), kid.parentKoid());
    assertEquals(kid.koid(), f.koid(parent, r.procHandle()));
    assertEquals(0x6D3CF, Rights.DEFAULT_PROCESS);
    assertEquals(0x6D3CF, f.rights(parent, r.procHandle()));
    assertEquals(0, f.signals(parent, r.procHandle()));
    assertNotEquals(f.kernel().processes().tokenOf(parent), r.sessionToken());
  }

  @Test
  @KernelExtension.WithConfig("twoProcesses")
  void processLimitIsNoResources(KernelFixture f) {
    Process parent = f.process();
    child(f, parent, "one");
    CreateResult third = f.kernel().process().create(parent, "two", 0);
    assertStatus(Status.ERR_NO_RESOURCES, third.status());
    assertEquals(1, parent.handleTableSize(), "no handle for a process that was not made");
    assertStatus(Status.ERR_NO_RESOURCES, f.kernel().process().create(null, "top", 0).status());
  }

  // ---- start ----

  @Test
  void startMovesArg1IntoTheChild(KernelFixture f) {
    Process parent = f.process();
    CreateResult r = child(f, parent, "kid");
    Outcome<Process.StartupInfo> early = new Outcome<>();
    r.process().whenStarted(early);
    assertFalse(early.isDone(), "not started yet");
    int[] ch = f.channel(parent);
    long koid = f.koid(parent, ch[1]);
    assertStatus(Status.OK, f.kernel().process().start(parent, r.procHandle(), ch[1]));
    Process.StartupInfo info = early.get();
    assertEquals(r.process().koid(), info.processId());
    assertEquals("kid", info.name());
    int arg1 = info.arg1();
    assertEquals(Process.State.RUNNING, r.process().state());
    assertEquals(koid, f.koid(r.process(), arg1), "the value is valid in the child's table");
    f.assertGone(parent, ch[1]);
    f.assertGone(parent, arg1);
    assertEquals(arg1, startedArg1(r.process()), "a late whenStarted gets the same value");
    f.writeOk(parent, ch[0], "hello child");
    assertEquals(KernelFixture.bytes("hello child"), f.readOk(r.process(), arg1).bytes());
  }

  @Test
  void startWithoutArg1(KernelFixture f) {
    Process parent = f.process();
    CreateResult r = child(f, parent, "kid");
    assertStatus(Status.OK, f.kernel().process().start(parent, r.procHandle(), 0));
    assertEquals(0, startedArg1(r.process()));
    assertEquals(0, r.process().handleTableSize());
  }

  @Test
  void startingTwiceIsBadStateAndConsumesArg1(KernelFixture f) {
    Process parent = f.process();
    CreateResult r = child(f, parent, "kid");
    assertStatus(Status.OK, f.kernel().process().start(parent, r.procHandle(), 0));
    int[] ch = f.channel(parent);
    assertStatus(Status.ERR_BAD_STATE, f.kernel().process().start(parent, r.procHandle(), ch[1]));
    f.assertGone(parent, ch[1]);
    assertEquals(Signals.CHANNEL_PEER_CLOSED, f.signals(parent, ch[0]));
    assertEquals(0, r.process().handleTableSize());
  }

  @Test
  void startErrorsConsumeArg1(KernelFixture f) {
    Process parent = f.process();
    CreateResult r = child(f, parent, "kid");
    int ev = f.event(parent);

    int[] a = f.channel(parent);
    assertStatus(Status.ERR_BAD_HANDLE, f.kernel().process().start(parent, 0x7FF3, a[1]));
    f.assertGone(parent, a[1]);

    int[] b = f.channel(parent);
    assertStatus(Status.ERR_WRONG_TYPE, f.kernel().process().start(parent, ev, b[1]));
    f.assertGone(parent, b[1]);

    int[] c = f.channel(parent);
    int noWrite = f.duplicate(parent, r.procHandle(), Rights.DEFAULT_PROCESS & ~Rights.WRITE);
    assertStatus(Status.ERR_ACCESS_DENIED, f.kernel().process().start(parent, noWrite, c[1]));
    f.assertGone(parent, c[1]);

    int noTransfer = f.replace(parent, f.event(parent), Rights.WAIT);
    assertStatus(Status.ERR_ACCESS_DENIED, f.kernel().process().start(parent, r.procHandle(), noTransfer));
    f.assertGone(parent, noTransfer);

    assertStatus(Status.ERR_BAD_HANDLE, f.kernel().process().start(parent, r.procHandle(), 0x4443));
    assertEquals(Process.State.NEW, r.process().state(), "no failed start started it");
    assertEquals(0, r.process().handleTableSize());
  }

  @Test
  void aRunningChildCannotBeStartedThroughADuplicate(KernelFixture f) {
    Process parent = f.process();
    CreateResult r = child(f, parent, "kid");
    assertStatus(Status.OK, f.kernel().process().start(parent, r.procHandle(), 0));
    // The child, running, cannot be started again through a duplicate either.
    int dup = f.duplicate(parent, r.procHandle(), Rights.SAME_RIGHTS);
    assertStatus(Status.ERR_BAD_STATE, f.kernel().process().start(parent, dup, 0));
  }

  @Test
  void killedBeforeStartTellsStartWaitersWithNoArg1(KernelFixture f) {
    Process parent = f.process();
    CreateResult r = child(f, parent, "kid");
    Outcome<Process.StartupInfo> waiter = new Outcome<>();
    r.process().whenStarted(waiter);
    assertStatus(Status.OK, f.kernel().process().kill(parent, r.procHandle()));
    assertEquals(0, waiter.get().arg1());
    assertEquals(Process.State.DEAD, r.process().state());
    assertStatus(Status.ERR_BAD_STATE, f.kernel().process().start(parent, r.procHandle(), 0));
  }

  // ---- death ----

  @Test
  void killClosesEveryHandleAndTerminatesTheProcessObject(KernelFixture f) {
    Process parent = f.process();
    CreateResult r = child(f, parent, "kid");
    Process kid = r.process();
    int[] ch = f.channel(parent);
    assertStatus(Status.OK, f.kernel().process().start(parent, r.procHandle(), ch[1]));
    int kidEnd = startedArg1(kid);
    int kidEvent = f.event(kid);
    long eventKoid = f.koid(kid, kidEvent);
    Outcome<WaitResult> kidsOwnWait = new Outcome<>();
    f.kernel().object().waitOne(kid, kidEvent, Signals.USER_0, MonotonicClock.INFINITE, kidsOwnWait);
    Outcome<WaitResult> parentsWait = new Outcome<>();
    f.kernel().object().waitOne(parent, r.procHandle(), Signals.TASK_TERMINATED, MonotonicClock.INFINITE,
        parentsWait);
    Outcome<WaitResult> peerWait = new Outcome<>();
    f.kernel().object().waitOne(parent, ch[0], Signals.CHANNEL_PEER_CLOSED, MonotonicClock.INFINITE, peerWait);
    assertFalse(parentsWait.isDone());

    assertStatus(Status.OK, f.kernel().process().kill(parent, r.procHandle()));

    assertEquals(Signals.TASK_TERMINATED, parentsWait.get().observed());
    assertStatus(Status.OK, peerWait.get().status());
    assertStatus(Status.ERR_CANCELED, kidsOwnWait.get().status(), "the dead process's waits end");
    assertEquals(Process.State.DEAD, kid.state());
    assertEquals(Process.RETCODE_KILLED, kid.returnCode());
    assertEquals(0, kid.handleTableSize());
    assertFalse(f.alive(eventKoid));
    assertNull(kid.handle(kidEnd));
    assertEquals(Signals.TASK_TERMINATED, f.signals(parent, r.procHandle()));
    assertEquals(0x8, Signals.TASK_TERMINATED);
    assertNull(f.kernel().processes().get(kid.koid()));
    assertNull(f.kernel().processes().resolve(r.sessionToken()), "a dead process's session is gone");
    assertTrue(f.alive(kid.koid()), "the process object lives on while the parent holds a handle");
    f.close(parent, r.procHandle());
    assertFalse(f.alive(kid.koid()));
  }

  @Test
  void aDeadProcessCannotReceiveHandles(KernelFixture f) {
    Process parent = f.process();
    CreateResult r = child(f, parent, "kid");
    int[] ch = f.channel(parent);
    assertStatus(Status.OK, f.kernel().process().start(parent, r.procHandle(), ch[1]));
    int kidEnd = startedArg1(r.process());
    f.kernel().process().exit(r.process(), 3);
    assertEquals(3, r.process().returnCode());
    assertStatus(Status.ERR_BAD_HANDLE, f.read(r.process(), kidEnd).status());
    assertStatus(Status.ERR_PEER_CLOSED, f.write(parent, ch[0], "too late"));
    assertStatus(Status.ERR_NO_RESOURCES, f.kernel().event().create(r.process(), 0).status(),
        "a dead process's table takes nothing");
  }

  @Test
  void killNeedsDestroyAndAProcess(KernelFixture f) {
    Process parent = f.process();
    CreateResult r = child(f, parent, "kid");
    int noDestroy = f.duplicate(parent, r.procHandle(), Rights.DEFAULT_PROCESS & ~Rights.DESTROY);
    assertStatus(Status.ERR_ACCESS_DENIED, f.kernel().process().kill(parent, noDestroy));
    int ev = f.replace(parent, f.event(parent), Rights.NONE);
    assertStatus(Status.ERR_WRONG_TYPE, f.kernel().process().kill(parent, ev));
    assertStatus(Status.ERR_BAD_HANDLE, f.kernel().process().kill(parent, 0));
    assertTrue(r.process().isAlive());
    assertStatus(Status.OK, f.kernel().process().kill(parent, r.procHandle()));
    assertStatus(Status.OK, f.kernel().process().kill(parent, r.procHandle()), "killing the dead is OK");
    assertEquals(Process.RETCODE_KILLED, r.process().returnCode());
  }

  @Test
  void exitRecordsTheReturnCodeAndNotifiesListeners(KernelFixture f) {
    List<Long> died = new CopyOnWriteArrayList<>();
    List<Integer> heldAtDeath = new CopyOnWriteArrayList<>();
    f.kernel().addDeathListener((p, held) -> {
      died.add(p.koid());
      heldAtDeath.add(held.size());
    });
    Process p = f.process();
    Outcome<Boolean> dead = new Outcome<>();
    p.whenDead(() -> dead.accept(true));
    f.event(p);
    f.kernel().process().exit(p, 42);
    assertTrue(dead.get());
    assertEquals(42, p.returnCode());
    assertEquals(List.of(p.koid()), died);
    assertEquals(List.of(1), heldAtDeath, "the listener hears of the event it still held");
    assertFalse(f.alive(p.koid()), "a dead top-level process with no handles to it is gone");
    assertEquals(0, f.kernel().objects().size());
    p.kill(Process.RETCODE_KILLED);
    assertEquals(42, p.returnCode(), "a second death changes nothing");
    assertEquals(1, died.size());
  }

  // ---- leases ----

  @Test
  @KernelExtension.WithConfig("tinyGrace")
  void releasingTheLastHoldKillsAfterTheGracePeriod(KernelFixture f) {
    Process p = f.process();
    Lease lease = p.lease();
    lease.hold();
    assertEquals(MonotonicClock.INFINITE, lease.expiresAt());
    long releasedAt = f.kernel().clock().now();
    lease.release();
    assertTrue(lease.expiresAt() >= releasedAt + Duration.ofMillis(50).toNanos());
    await().atMost(Duration.ofSeconds(5)).until(() -> !p.isAlive());
    assertTrue(f.kernel().clock().now() - releasedAt >= Duration.ofMillis(50).toNanos(), "not before the grace");
    assertEquals(Process.RETCODE_LEASE_EXPIRED, p.returnCode());
  }

  @Test
  @KernelExtension.WithConfig("tinyGrace")
  void anotherHoldKeepsTheProcessAlive(KernelFixture f) {
    Process p = f.process();
    Process witness = f.process();
    Lease lease = p.lease();
    lease.hold();
    lease.hold();
    lease.release();
    assertEquals(1, lease.holders());
    witness.lease().hold();
    witness.lease().release();
    await().atMost(Duration.ofSeconds(5)).until(() -> !witness.isAlive());
    assertTrue(p.isAlive(), "still held by one stream after another's grace period has run out");
  }

  @Test
  @KernelExtension.WithConfig("shortLeaseLongGrace")
  void aHeldProcessOutlivesItsLeaseAndAnUnheldOneDoesNot(KernelFixture f) {
    Process held = f.process();
    held.lease().hold();
    Process idle = f.process();
    await().atMost(Duration.ofSeconds(5)).until(() -> !idle.isAlive());
    assertEquals(Process.RETCODE_LEASE_EXPIRED, idle.returnCode());
    assertTrue(held.isAlive());
  }
}
