package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zxd.kernel.ObjectSyscalls.WaitManyResult;
import dev.zxd.kernel.ObjectSyscalls.WaitResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Interleavings of two syscalls on different threads, replayed step by step on one thread through the kernel's
 * package-private steps, so that a race found once (see ConcurrencyTest) stays fixed deterministically.
 */
@ExtendWith(KernelExtension.class)
class InterleavingTest {
  private static final int USER_0 = Signals.USER_0;

  @Test
  void aWaitWhoseHandleIsClosedBetweenLookupAndRegistrationIsCanceled(KernelFixture f) {
    // The interleaving of a wait_one racing a close on another thread, replayed step by step: the syscall has
    // looked the handle up, the close releases it, then the wait registers. It must not be left waiting.
    Process p = f.process();
    int ev = f.event(p);
    int dup = f.duplicate(p, ev, Rights.SAME_RIGHTS);
    Handle looked = p.handle(dup);
    f.close(p, dup);
    Outcome<WaitResult> out = new Outcome<>();
    assertTrue(p.reserveWait());
    new WaitOne(p, looked, USER_0, out).start(f.kernel(), MonotonicClock.INFINITE);
    assertEquals(new WaitResult(Status.ERR_CANCELED, Signals.HANDLE_CLOSED), out.now());
    assertEquals(0, p.pendingWaits());
    assertEquals(0, f.object(p, ev).observerCount());
  }

  @Test
  void aWaitManyItemWhoseHandleIsClosedBetweenLookupAndRegistrationCancelsIt(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    int other = f.event(p);
    int dup = f.duplicate(p, ev, Rights.SAME_RIGHTS);
    Handle looked = p.handle(dup);
    f.close(p, dup);
    Outcome<WaitManyResult> out = new Outcome<>();
    assertTrue(p.reserveWait());
    new WaitMany(p, new Handle[] {p.handle(other), looked}, new int[] {USER_0, USER_0}, out)
        .start(f.kernel(), MonotonicClock.INFINITE);
    WaitManyResult r = out.now();
    assertStatus(Status.ERR_CANCELED, r.status());
    assertArrayEquals(new int[] {0, Signals.HANDLE_CLOSED}, r.pending());
    assertEquals(0, p.pendingWaits());
    assertEquals(0, f.object(p, ev).observerCount());
    assertEquals(0, f.object(p, other).observerCount());
  }

  @Test
  void aWaitThatIsAlreadySatisfiedWinsOverAClosedHandle(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    assertStatus(Status.OK, f.kernel().object().signal(p, ev, 0, USER_0));
    int dup = f.duplicate(p, ev, Rights.SAME_RIGHTS);
    Handle looked = p.handle(dup);
    f.close(p, dup);
    Outcome<WaitResult> out = new Outcome<>();
    assertTrue(p.reserveWait());
    new WaitOne(p, looked, USER_0, out).start(f.kernel(), MonotonicClock.INFINITE);
    assertEquals(new WaitResult(Status.OK, USER_0), out.now(), "as if it had registered, then been closed");
    assertEquals(0, p.pendingWaits());
  }

  @Test
  void aReadWhoseProcessDiesBeforeItInstallsTheHandlesLosesNothing(KernelFixture f) {
    // read() has taken the message off the queue; the reading process is killed (its end of the channel is
    // destroyed with it); read() then finds no table to install into and puts the message back.
    Process parent = f.process();
    ProcessSyscalls.CreateResult child = f.kernel().process().create(parent, "reader", 0);
    int[] ch = f.channel(parent);
    assertStatus(Status.OK, f.kernel().process().start(parent, child.procHandle(), ch[1]));
    Process reader = child.process();
    Outcome<Process.StartupInfo> started = new Outcome<>();
    reader.whenStarted(started);
    Channel end = (Channel) f.object(reader, started.get().arg1());
    int[] carried = f.channel(parent);
    f.writeOk(parent, ch[0], "in flight", carried[0]);

    Wakeups w = new Wakeups();
    Channel.ReadOutcome taken = end.read(KernelFixture.ANY_BYTES, KernelFixture.ANY_HANDLES, false, w);
    w.run();
    assertStatus(Status.OK, taken.status());
    reader.kill(Process.RETCODE_KILLED);
    assertNull(ChannelSyscalls.install(reader, taken.message().handles), "a dead process's table takes nothing");
    end.unread(taken.message(), w);
    w.run();

    assertEquals(Signals.CHANNEL_PEER_CLOSED, f.signals(parent, carried[1]),
        "the handle in the message was closed with the dead endpoint, not kept forever");
    assertFalse(f.alive(end.koid()));
    assertEquals(0, end.queuedMessages());
  }
}
