package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static dev.zxd.kernel.KernelFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.zxd.kernel.ChannelSyscalls.CallResult;
import dev.zxd.kernel.ObjectSyscalls.WaitManyResult;
import dev.zxd.kernel.ObjectSyscalls.WaitResult;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The daemon's limit on waits one process has pending at once (Zircon has none: there a wait holds a thread).
 * wait_one, wait_many, port_wait, wait_async and channel_call each hold one slot until they end, however they
 * end; with every slot in use the next one is NO_RESOURCES at once and changes nothing. Every test here runs
 * with two slots per process.
 */
@ExtendWith(KernelExtension.class)
@KernelExtension.WithConfig("twoWaits")
class PendingWaitLimitTest {
  private static final int USER_0 = Signals.USER_0;
  private static final int USER_1 = Signals.USER_0 << 1;

  static KernelConfig twoWaits() {
    return KernelConfig.DEFAULTS.withMaxPendingWaitsPerProcess(2);
  }

  /** Two waits that only a signal on {@code ev} ends, filling p's slots. */
  private static Outcome<WaitResult>[] fill(KernelFixture f, Process p, int ev) {
    @SuppressWarnings("unchecked")
    Outcome<WaitResult>[] waits = new Outcome[] {new Outcome<WaitResult>(), new Outcome<WaitResult>()};
    for (Outcome<WaitResult> w : waits) {
      f.kernel().object().waitOne(p, ev, USER_0, MonotonicClock.INFINITE, w);
    }
    assertEquals(2, p.pendingWaits());
    return waits;
  }

  private static void signal(KernelFixture f, Process p, int ev) {
    assertStatus(Status.OK, f.kernel().object().signal(p, ev, 0, USER_0));
  }

  @Test
  void everyKindOfWaitIsNoResourcesWhenTheSlotsAreFullAndChangesNothing(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    int other = f.event(p);
    int port = f.kernel().port().create(p, 0).out();
    int[] ch = f.channel(p);
    fill(f, p, ev);
    int observers = f.object(p, other).observerCount();

    Outcome<WaitResult> one = new Outcome<>();
    f.kernel().object().waitOne(p, other, USER_0, MonotonicClock.INFINITE, one);
    assertEquals(new WaitResult(Status.ERR_NO_RESOURCES, 0), one.now());

    Outcome<WaitManyResult> many = new Outcome<>();
    f.kernel().object().waitMany(p, new int[] {other}, new int[] {USER_0}, MonotonicClock.INFINITE, many);
    assertStatus(Status.ERR_NO_RESOURCES, many.now().status());

    Outcome<PortWait.Result> packet = new Outcome<>();
    f.kernel().port().wait(p, port, MonotonicClock.INFINITE, packet);
    assertStatus(Status.ERR_NO_RESOURCES, packet.now().status());
    assertEquals(0, ((Port) f.object(p, port)).pendingWaiters());

    assertStatus(Status.ERR_NO_RESOURCES, f.kernel().port().waitAsync(p, other, port, 7, USER_0, 0));
    assertEquals(0, ((Port) f.object(p, port)).asyncWaits());

    int carried = f.event(p);
    long carriedKoid = f.koid(p, carried);
    Outcome<CallResult> call = new Outcome<>();
    f.kernel().channel().call(p, ch[0], 0, MonotonicClock.INFINITE, bytes("\0\0\0\0?"), new int[] {carried},
        100, 4, call);
    assertStatus(Status.ERR_NO_RESOURCES, call.now().status());
    f.assertGone(p, carried);
    assertFalse(f.alive(carriedKoid), "channel_call consumes its handles on every failure");
    assertEquals(0, ((Channel) f.object(p, ch[1])).queuedMessages(), "the request was not written");

    assertEquals(observers, f.object(p, other).observerCount(), "no observer was left behind");
    assertEquals(2, p.pendingWaits());
  }

  @Test
  void theLimitIsPerProcess(KernelFixture f) {
    Process p = f.process();
    Process q = f.process();
    int ev = f.event(p);
    fill(f, p, ev);
    int qev = f.event(q);
    signal(f, q, qev);
    assertEquals(new WaitResult(Status.OK, USER_0), f.waitOne(q, qev, USER_0, MonotonicClock.INFINITE));
  }

  @Test
  void aSlotComesBackWhenAWaitIsSatisfiedTimesOutIsAbandonedOrItsHandleCloses(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    Outcome<WaitResult>[] waits = fill(f, p, ev);
    signal(f, p, ev);
    assertStatus(Status.OK, waits[0].get().status());
    assertStatus(Status.OK, waits[1].get().status());
    assertEquals(0, p.pendingWaits(), "satisfied");

    assertStatus(Status.ERR_TIMED_OUT, f.waitOne(p, ev, USER_1, f.after(Duration.ofMillis(5))).status());
    assertStatus(Status.ERR_TIMED_OUT, f.waitOne(p, ev, USER_1, f.past()).status());
    assertEquals(0, p.pendingWaits(), "timed out");

    Runnable abandon = f.kernel().object().waitOne(p, ev, USER_1, MonotonicClock.INFINITE,
        new Outcome<>());
    assertEquals(1, p.pendingWaits());
    abandon.run();
    abandon.run();
    assertEquals(0, p.pendingWaits(), "abandoned, once");

    int dup = f.duplicate(p, ev, Rights.SAME_RIGHTS);
    Outcome<WaitResult> canceled = new Outcome<>();
    f.kernel().object().waitOne(p, dup, USER_1, MonotonicClock.INFINITE, canceled);
    f.close(p, dup);
    assertStatus(Status.ERR_CANCELED, canceled.get().status());
    assertEquals(0, p.pendingWaits(), "canceled");
  }

  @Test
  void waitManyHoldsOneSlotWhateverItsItems(KernelFixture f) {
    Process p = f.process();
    int a = f.event(p);
    int b = f.event(p);
    Outcome<WaitManyResult> many = new Outcome<>();
    f.kernel().object().waitMany(p, new int[] {a, b, a}, new int[] {USER_0, USER_0, USER_0},
        MonotonicClock.INFINITE, many);
    assertEquals(1, p.pendingWaits());
    Outcome<WaitResult> one = new Outcome<>();
    f.kernel().object().waitOne(p, b, USER_0, MonotonicClock.INFINITE, one);
    assertEquals(2, p.pendingWaits());
    signal(f, p, b);
    assertStatus(Status.OK, many.get().status());
    assertStatus(Status.OK, one.get().status());
    assertEquals(0, p.pendingWaits());
  }

  @Test
  void anAsyncWaitHoldsItsSlotUntilItFiresIsCanceledOrItsPortGoes(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    int port = f.kernel().port().create(p, 0).out();
    assertStatus(Status.OK, f.kernel().port().waitAsync(p, ev, port, 1, USER_0, 0));
    assertStatus(Status.OK, f.kernel().port().waitAsync(p, ev, port, 2, USER_0, 0));
    assertStatus(Status.ERR_NO_RESOURCES, f.kernel().port().waitAsync(p, ev, port, 3, USER_0, 0));
    signal(f, p, ev);
    assertEquals(0, p.pendingWaits(), "fired (the packets wait in the port; they are not waits)");
    assertEquals(2, ((Port) f.object(p, port)).queuedPackets());

    assertStatus(Status.OK, f.kernel().object().signal(p, ev, USER_0, 0));
    assertStatus(Status.OK, f.kernel().port().waitAsync(p, ev, port, 4, USER_0, 0));
    assertStatus(Status.OK, f.kernel().port().cancel(p, port, ev, 4));
    assertEquals(0, p.pendingWaits(), "port_cancel");

    assertStatus(Status.OK, f.kernel().port().waitAsync(p, ev, port, 5, USER_0, 0));
    f.close(p, port);
    assertEquals(0, p.pendingWaits(), "port closed");

    int port2 = f.kernel().port().create(p, 0).out();
    int dup = f.duplicate(p, ev, Rights.SAME_RIGHTS);
    assertStatus(Status.OK, f.kernel().port().waitAsync(p, dup, port2, 6, USER_0, 0));
    f.close(p, dup);
    assertEquals(0, p.pendingWaits(), "watched handle closed");
  }

  @Test
  void anAsyncWaitOnAHandleSentAwayIsReleasedWhenTheReceiverTakesIt(KernelFixture f) {
    Process p = f.process();
    Process q = f.process();
    int ev = f.event(p);
    int port = f.kernel().port().create(p, 0).out();
    int[] ch = f.channel(p);
    assertStatus(Status.OK, f.kernel().port().waitAsync(p, ev, port, 1, USER_0, 0));
    f.writeOk(p, ch[0], "here", ev);
    assertEquals(1, p.pendingWaits(), "in flight, the wait still stands");
    Wakeups w = new Wakeups();
    Channel b = (Channel) f.object(p, ch[1]);
    Channel.ReadOutcome taken = b.read(100, 4, false, w);
    w.run();
    ChannelSyscalls.install(q, taken.message().handles);
    assertEquals(0, p.pendingWaits(), "the receiver took the handle: Zircon cancels its waits");
  }

  @Test
  void aPortWaitAndACallHoldTheirSlotsUntilTheyEnd(KernelFixture f) {
    Process p = f.process();
    int port = f.kernel().port().create(p, 0).out();
    int[] ch = f.channel(p);
    Outcome<PortWait.Result> packet = new Outcome<>();
    f.kernel().port().wait(p, port, MonotonicClock.INFINITE, packet);
    Outcome<CallResult> call = new Outcome<>();
    f.kernel().channel().call(p, ch[0], 0, MonotonicClock.INFINITE, bytes("\0\0\0\0ping"), new int[0], 100, 4,
        call);
    assertEquals(2, p.pendingWaits());
    Outcome<WaitResult> third = new Outcome<>();
    f.kernel().object().waitOne(p, ch[0], Signals.CHANNEL_READABLE, MonotonicClock.INFINITE, third);
    assertStatus(Status.ERR_NO_RESOURCES, third.now().status());

    assertStatus(Status.OK, f.kernel().port().queue(p, port, 9, 0, new long[0]));
    assertStatus(Status.OK, packet.get().status());
    assertEquals(1, p.pendingWaits());
    f.close(p, ch[1]);
    assertStatus(Status.ERR_PEER_CLOSED, call.get().status());
    assertEquals(0, p.pendingWaits());
  }

  @Test
  void aDyingProcessEndsItsWaitsAndItsCountGoesToZero(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    int port = f.kernel().port().create(p, 0).out();
    Outcome<WaitResult> one = new Outcome<>();
    f.kernel().object().waitOne(p, ev, USER_0, MonotonicClock.INFINITE, one);
    Outcome<PortWait.Result> packet = new Outcome<>();
    f.kernel().port().wait(p, port, MonotonicClock.INFINITE, packet);
    assertEquals(2, p.pendingWaits());
    p.kill(Process.RETCODE_KILLED);
    assertStatus(Status.ERR_CANCELED, one.get().status());
    assertStatus(Status.ERR_CANCELED, packet.get().status());
    assertEquals(0, p.pendingWaits());
  }
}
