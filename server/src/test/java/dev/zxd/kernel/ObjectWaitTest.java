package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zxd.kernel.ObjectSyscalls.WaitManyResult;
import dev.zxd.kernel.ObjectSyscalls.WaitResult;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** zx_object_wait_one and zx_object_wait_many. */
@ExtendWith(KernelExtension.class)
class ObjectWaitTest {
  private static final int USER_0 = Signals.USER_0;
  private static final int USER_1 = Signals.USER_0 << 1;
  private static final int USER_2 = Signals.USER_0 << 2;

  private static Outcome<WaitResult> waitOne(KernelFixture f, Process p, int h, int signals, long deadline) {
    Outcome<WaitResult> out = new Outcome<>();
    f.kernel().object().waitOne(p, h, signals, deadline, out);
    return out;
  }

  private static Outcome<WaitManyResult> waitMany(KernelFixture f, Process p, int[] hs, int[] signals,
      long deadline) {
    Outcome<WaitManyResult> out = new Outcome<>();
    f.kernel().object().waitMany(p, hs, signals, deadline, out);
    return out;
  }

  // ---- wait_one ----

  @Test
  void alreadySatisfiedReturnsAtOnceEvenWithAPastDeadline(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    WaitResult r = waitOne(f, p, ch[0], Signals.CHANNEL_WRITABLE | Signals.CHANNEL_READABLE, f.past()).now();
    assertEquals(new WaitResult(Status.OK, Signals.CHANNEL_WRITABLE), r);
    assertEquals(0, f.object(p, ch[0]).observerCount());
  }

  @Test
  void zeroSignalsNeverSatisfyAndReportTheState(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    f.writeOk(p, ch[1], "x");
    WaitResult r = waitOne(f, p, ch[0], 0, f.past()).now();
    assertEquals(new WaitResult(Status.ERR_TIMED_OUT, Signals.CHANNEL_WRITABLE | Signals.CHANNEL_READABLE), r);
    assertEquals(0, f.object(p, ch[0]).observerCount(), "a timed-out wait leaves no observer");
  }

  @Test
  void futureDeadlineTimesOut(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    long start = System.nanoTime();
    Outcome<WaitResult> out = waitOne(f, p, ev, USER_0, f.after(Duration.ofMillis(30)));
    assertEquals(new WaitResult(Status.ERR_TIMED_OUT, 0), out.get());
    assertTrue(System.nanoTime() - start >= Duration.ofMillis(30).toNanos());
    assertEquals(0, f.object(p, ev).observerCount());
  }

  @Test
  void observedAccumulatesEveryStateSeen(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    Outcome<WaitResult> out = waitOne(f, p, ev, USER_2, MonotonicClock.INFINITE);
    assertStatus(Status.OK, f.kernel().object().signal(p, ev, 0, USER_0));
    assertStatus(Status.OK, f.kernel().object().signal(p, ev, USER_0, USER_1));
    assertFalse(out.isDone());
    assertStatus(Status.OK, f.kernel().object().signal(p, ev, USER_1, USER_2));
    assertEquals(new WaitResult(Status.OK, USER_0 | USER_1 | USER_2), out.get());
    assertEquals(USER_2, f.signals(p, ev), "USER_0 and USER_1 are no longer asserted");
  }

  @Test
  void closingTheHandleCancelsWithHandleClosed(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    int other = f.duplicate(p, ev, Rights.SAME_RIGHTS);
    assertStatus(Status.OK, f.kernel().object().signal(p, ev, 0, USER_0));
    Outcome<WaitResult> out = waitOne(f, p, ev, USER_1, MonotonicClock.INFINITE);
    Outcome<WaitResult> throughOther = waitOne(f, p, other, USER_1, MonotonicClock.INFINITE);
    f.close(p, ev);
    assertEquals(new WaitResult(Status.ERR_CANCELED, USER_0 | Signals.HANDLE_CLOSED), out.get());
    assertEquals(0x800000, Signals.HANDLE_CLOSED);
    assertFalse(throughOther.isDone(), "only waits made through the closed handle are canceled");
    assertEquals(1, f.object(p, other).observerCount());
    f.close(p, other);
    assertStatus(Status.ERR_CANCELED, throughOther.get().status());
  }

  @Test
  void abandonRemovesTheObserverAndNeverCompletes(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    Outcome<WaitResult> out = new Outcome<>();
    Runnable abandon = f.kernel().object().waitOne(p, ev, USER_0, MonotonicClock.INFINITE, out);
    KernelObject o = f.object(p, ev);
    assertEquals(1, o.observerCount());
    abandon.run();
    assertEquals(0, o.observerCount());
    assertStatus(Status.OK, f.kernel().object().signal(p, ev, 0, USER_0));
    abandon.run(); // idempotent
    assertFalse(out.isDone());
    assertEquals(0, out.calls());
  }

  @Test
  void abandoningAFinishedWaitIsHarmless(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    Outcome<WaitResult> out = new Outcome<>();
    Runnable abandon = f.kernel().object().waitOne(p, ev, USER_0, MonotonicClock.INFINITE, out);
    assertStatus(Status.OK, f.kernel().object().signal(p, ev, 0, USER_0));
    assertStatus(Status.OK, out.get().status());
    abandon.run();
    assertEquals(1, out.calls());
  }

  @Test
  void manyWaitersOnOneObjectAllWake(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    @SuppressWarnings("unchecked")
    Outcome<WaitResult>[] outs = new Outcome[50];
    for (int i = 0; i < outs.length; i++) {
      outs[i] = waitOne(f, p, ev, USER_0, MonotonicClock.INFINITE);
    }
    assertEquals(50, f.object(p, ev).observerCount());
    assertStatus(Status.OK, f.kernel().object().signal(p, ev, 0, USER_0));
    for (Outcome<WaitResult> o : outs) {
      assertStatus(Status.OK, o.now().status());
    }
    assertEquals(0, f.object(p, ev).observerCount());
  }

  @Test
  void waitOneErrors(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    assertStatus(Status.ERR_BAD_HANDLE, waitOne(f, p, 0, USER_0, MonotonicClock.INFINITE).now().status());
    assertStatus(Status.ERR_BAD_HANDLE, waitOne(f, p, ev ^ 4, USER_0, MonotonicClock.INFINITE).now().status());
    int noWait = f.replace(p, ev, Rights.DEFAULT_EVENT & ~Rights.WAIT);
    assertStatus(Status.ERR_ACCESS_DENIED, waitOne(f, p, noWait, USER_0, MonotonicClock.INFINITE).now().status());
    assertEquals(0, f.object(p, noWait).observerCount());
  }

  @Test
  void peerClosedWakesAWaitOnTheSurvivor(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    Outcome<WaitResult> out = waitOne(f, p, ch[0], Signals.CHANNEL_PEER_CLOSED, MonotonicClock.INFINITE);
    f.close(p, ch[1]);
    assertEquals(new WaitResult(Status.OK, Signals.CHANNEL_WRITABLE | Signals.CHANNEL_PEER_CLOSED), out.get());
  }

  @Test
  void aWaitThroughATransferredHandleIsCanceledWhenTheReceiverReadsIt(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int ev = f.event(p);
    Outcome<WaitResult> out = waitOne(f, p, ev, USER_0, MonotonicClock.INFINITE);
    f.writeOk(p, ch[0], "", ev);
    assertFalse(out.isDone(), "in flight, the handle still exists");
    int received = f.readOk(p, ch[1]).handles()[0];
    assertEquals(new WaitResult(Status.ERR_CANCELED, Signals.HANDLE_CLOSED), out.get());
    assertEquals(0, f.object(p, received).observerCount());
  }

  @Test
  void aWaitThroughAHandleInADestroyedMessageIsCanceled(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int ev = f.event(p);
    Outcome<WaitResult> out = waitOne(f, p, ev, USER_0, MonotonicClock.INFINITE);
    f.writeOk(p, ch[0], "", ev);
    f.close(p, ch[1]);
    assertStatus(Status.ERR_CANCELED, out.get().status());
  }

  // ---- wait_many ----

  @Test
  void waitManyOfMoreThanSixteenIsOutOfRange(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    int[] hs = new int[17];
    int[] sigs = new int[17];
    java.util.Arrays.fill(hs, ev);
    java.util.Arrays.fill(sigs, USER_0);
    assertStatus(Status.ERR_OUT_OF_RANGE, waitMany(f, p, hs, sigs, MonotonicClock.INFINITE).now().status());
    assertEquals(0, f.object(p, ev).observerCount());
    // Sixteen, the same handle each time, is fine.
    int[] hs16 = java.util.Arrays.copyOf(hs, 16);
    int[] sigs16 = java.util.Arrays.copyOf(sigs, 16);
    Outcome<WaitManyResult> out = waitMany(f, p, hs16, sigs16, MonotonicClock.INFINITE);
    assertEquals(16, f.object(p, ev).observerCount());
    assertStatus(Status.OK, f.kernel().object().signal(p, ev, 0, USER_0));
    WaitManyResult r = out.get();
    assertStatus(Status.OK, r.status());
    for (int pending : r.pending()) {
      assertEquals(USER_0, pending);
    }
    assertEquals(0, f.object(p, ev).observerCount());
  }

  @Test
  void waitManyReportsTheFirstBadItemAndRegistersNothing(KernelFixture f) {
    Process p = f.process();
    int good = f.event(p);
    int noWait = f.replace(p, f.event(p), Rights.TRANSFER);
    Outcome<WaitManyResult> badFirst = waitMany(f, p, new int[] {good, 0x6667, noWait},
        new int[] {USER_0, USER_0, USER_0}, MonotonicClock.INFINITE);
    assertStatus(Status.ERR_BAD_HANDLE, badFirst.now().status());
    Outcome<WaitManyResult> deniedFirst = waitMany(f, p, new int[] {good, noWait, 0x6667},
        new int[] {USER_0, USER_0, USER_0}, MonotonicClock.INFINITE);
    assertStatus(Status.ERR_ACCESS_DENIED, deniedFirst.now().status());
    assertEquals(0, f.object(p, good).observerCount(), "earlier items were not left registered");
  }

  @Test
  void waitManyPendingIsPerItem(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    int[] ch = f.channel(p);
    Outcome<WaitManyResult> out = waitMany(f, p, new int[] {ev, ch[0]},
        new int[] {Signals.EVENT_SIGNALED, Signals.CHANNEL_READABLE}, MonotonicClock.INFINITE);
    assertFalse(out.isDone());
    assertStatus(Status.OK, f.kernel().object().signal(p, ev, 0, Signals.EVENT_SIGNALED | USER_1));
    WaitManyResult r = out.get();
    assertStatus(Status.OK, r.status());
    assertArrayEquals(new int[] {Signals.EVENT_SIGNALED | USER_1, Signals.CHANNEL_WRITABLE}, r.pending());
    assertEquals(0, f.object(p, ev).observerCount());
    assertEquals(0, f.object(p, ch[0]).observerCount());
  }

  @Test
  void waitManyAlreadySatisfied(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    int[] ch = f.channel(p);
    WaitManyResult r = waitMany(f, p, new int[] {ev, ch[0]}, new int[] {USER_0, Signals.CHANNEL_WRITABLE},
        f.past()).now();
    assertStatus(Status.OK, r.status());
    assertArrayEquals(new int[] {0, Signals.CHANNEL_WRITABLE}, r.pending());
    assertEquals(0, f.object(p, ev).observerCount());
  }

  @Test
  void waitManyTimesOut(KernelFixture f) {
    Process p = f.process();
    int ev = f.event(p);
    assertStatus(Status.OK, f.kernel().object().signal(p, ev, 0, USER_1));
    WaitManyResult past = waitMany(f, p, new int[] {ev}, new int[] {USER_0}, f.past()).now();
    assertStatus(Status.ERR_TIMED_OUT, past.status());
    assertArrayEquals(new int[] {USER_1}, past.pending());
    WaitManyResult later = waitMany(f, p, new int[] {ev}, new int[] {USER_0}, f.after(Duration.ofMillis(20))).get();
    assertStatus(Status.ERR_TIMED_OUT, later.status());
    assertEquals(0, f.object(p, ev).observerCount());
  }

  @Test
  void waitManyOfNothingTimesOut(KernelFixture f) {
    Process p = f.process();
    assertStatus(Status.ERR_TIMED_OUT, waitMany(f, p, new int[0], new int[0], f.past()).now().status());
    Outcome<WaitManyResult> later = waitMany(f, p, new int[0], new int[0], f.after(Duration.ofMillis(20)));
    assertStatus(Status.ERR_TIMED_OUT, later.get().status());
  }

  @Test
  void waitManyIsCanceledWhenOneHandleCloses(KernelFixture f) {
    Process p = f.process();
    int a = f.event(p);
    int b = f.event(p);
    assertStatus(Status.OK, f.kernel().object().signal(p, a, 0, USER_2));
    Outcome<WaitManyResult> out = waitMany(f, p, new int[] {a, b}, new int[] {USER_0, USER_0},
        MonotonicClock.INFINITE);
    f.close(p, b);
    WaitManyResult r = out.get();
    assertStatus(Status.ERR_CANCELED, r.status());
    assertArrayEquals(new int[] {USER_2, Signals.HANDLE_CLOSED}, r.pending());
    assertEquals(0, f.object(p, a).observerCount());
  }

  @Test
  void abandonedWaitManyUnhooksEveryItem(KernelFixture f) {
    Process p = f.process();
    int a = f.event(p);
    int b = f.event(p);
    Outcome<WaitManyResult> out = new Outcome<>();
    Runnable abandon = f.kernel().object().waitMany(p, new int[] {a, b}, new int[] {USER_0, USER_0},
        MonotonicClock.INFINITE, out);
    assertEquals(1, f.object(p, a).observerCount());
    assertEquals(1, f.object(p, b).observerCount());
    abandon.run();
    assertEquals(0, f.object(p, a).observerCount());
    assertEquals(0, f.object(p, b).observerCount());
    assertStatus(Status.OK, f.kernel().object().signal(p, a, 0, USER_0));
    assertFalse(out.isDone());
  }
}
