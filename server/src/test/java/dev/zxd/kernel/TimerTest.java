package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zxd.kernel.ObjectSyscalls.WaitResult;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * zx_timer_create / set / cancel. No sleeping and no wall clock: deadlines are set on the kernel's clock, the
 * test waits (through the kernel) for ZX_TIMER_SIGNALED, and checks the kernel's clock had reached the
 * deadline when the signal came.
 */
@ExtendWith(KernelExtension.class)
class TimerTest {
  private static final int SIGNALED = Signals.TIMER_SIGNALED;
  private static final long FAR = Duration.ofHours(1).toNanos();

  private static int timer(KernelFixture f, Process p) {
    HandleResult r = f.kernel().timer().create(p, Timer.SLACK_CENTER, TimerSyscalls.CLOCK_MONOTONIC);
    assertStatus(Status.OK, r.status(), "timer_create");
    return r.out();
  }

  private static void set(KernelFixture f, Process p, int t, long deadline) {
    assertStatus(Status.OK, f.kernel().timer().set(p, t, deadline, 0), "timer_set");
  }

  private static long now(KernelFixture f) {
    return f.kernel().clock().now();
  }

  /** A wait_one for SIGNALED with an infinite deadline, recording the kernel clock when it completes. */
  private static final class SignaledWait {
    final Outcome<WaitResult> outcome = new Outcome<>();
    volatile long completedAt;

    SignaledWait(KernelFixture f, Process p, int t) {
      f.kernel().object().waitOne(p, t, SIGNALED, MonotonicClock.INFINITE, r -> {
        completedAt = f.kernel().clock().now();
        outcome.accept(r);
      });
    }

    /** Waits for the signal; fails if it does not come or came before {@code deadline}. */
    void assertFiredNoEarlierThan(long deadline) {
      WaitResult r = outcome.get();
      assertStatus(Status.OK, r.status(), "wait for ZX_TIMER_SIGNALED");
      assertEquals(SIGNALED, r.observed() & SIGNALED);
      assertTrue(completedAt >= deadline, "fired " + (deadline - completedAt) + " ns before its deadline");
    }
  }

  // ---- create ----

  @Test
  void createAcceptsTheThreeSlackModesOnTheMonotonicClock(KernelFixture f) {
    Process p = f.process();
    for (int options : new int[] {Timer.SLACK_CENTER, Timer.SLACK_EARLY, Timer.SLACK_LATE}) {
      HandleResult r = f.kernel().timer().create(p, options, TimerSyscalls.CLOCK_MONOTONIC);
      assertStatus(Status.OK, r.status(), "options " + options);
      KernelObject o = f.object(p, r.out());
      assertEquals(ObjectType.TIMER, o.type());
      assertEquals(options, ((Timer) o).slackMode());
      assertEquals(0, f.signals(p, r.out()), "a new timer is not signaled");
      assertEquals(0, ((Timer) o).deadline());
    }
  }

  @Test
  void createRejectsOtherOptionsAndClocks(KernelFixture f) {
    Process p = f.process();
    int objects = f.kernel().objects().size();
    for (int options : new int[] {3, 4, -1, 0x80000000}) {
      HandleResult r = f.kernel().timer().create(p, options, 0);
      assertStatus(Status.ERR_INVALID_ARGS, r.status(), "options " + options);
      assertEquals(0, r.out());
    }
    for (int clock : new int[] {1, 2, -1}) {
      assertStatus(Status.ERR_INVALID_ARGS, f.kernel().timer().create(p, 0, clock).status(), "clock " + clock);
    }
    assertEquals(objects, f.kernel().objects().size());
    assertEquals(0, p.handleTableSize());
  }

  @Test
  void newTimerHasDefaultRights(KernelFixture f) {
    Process p = f.process();
    int t = timer(f, p);
    assertEquals(0xD00B, Rights.DEFAULT_TIMER);
    assertEquals(0xD00B, f.rights(p, t));
  }

  // ---- set ----

  @Test
  void firesAtItsDeadline(KernelFixture f) {
    Process p = f.process();
    int t = timer(f, p);
    SignaledWait w = new SignaledWait(f, p, t);
    long deadline = now(f) + Duration.ofMillis(20).toNanos();
    set(f, p, t, deadline);
    assertEquals(deadline, ((Timer) f.object(p, t)).deadline());
    w.assertFiredNoEarlierThan(deadline);
    assertEquals(SIGNALED, f.signals(p, t), "stays signaled");
    assertEquals(0, ((Timer) f.object(p, t)).deadline(), "no longer armed");
  }

  @Test
  void pastDeadlineFiresAtOnce(KernelFixture f) {
    Process p = f.process();
    int t = timer(f, p);
    for (long deadline : new long[] {now(f) - 1, 0, Long.MIN_VALUE, now(f)}) {
      assertStatus(Status.OK, f.kernel().timer().cancel(p, t));
      assertEquals(0, f.signals(p, t));
      set(f, p, t, deadline);
      assertEquals(SIGNALED, f.signals(p, t), "deadline " + deadline + " is already past: signaled on return");
    }
  }

  @Test
  void infiniteDeadlineNeverFires(KernelFixture f) {
    Process p = f.process();
    int t = timer(f, p);
    int ref = timer(f, p);
    set(f, p, t, MonotonicClock.INFINITE);
    long refDeadline = now(f) + Duration.ofMillis(10).toNanos();
    SignaledWait w = new SignaledWait(f, p, ref);
    set(f, p, ref, refDeadline);
    w.assertFiredNoEarlierThan(refDeadline);
    assertEquals(0, f.signals(p, t));
  }

  @Test
  void setReplacesTheDeadlineAndClearsTheSignal(KernelFixture f) {
    Process p = f.process();
    int t = timer(f, p);
    set(f, p, t, f.past());
    assertEquals(SIGNALED, f.signals(p, t));
    set(f, p, t, now(f) + FAR);
    assertEquals(0, f.signals(p, t), "set clears ZX_TIMER_SIGNALED");
    // An earlier deadline replaces the far one.
    SignaledWait w = new SignaledWait(f, p, t);
    long near = now(f) + Duration.ofMillis(15).toNanos();
    set(f, p, t, near);
    w.assertFiredNoEarlierThan(near);
  }

  @Test
  void aReplacedDeadlineDoesNotFire(KernelFixture f) {
    Process p = f.process();
    int t = timer(f, p);
    int ref = timer(f, p);
    long early = now(f) + Duration.ofMillis(5).toNanos();
    set(f, p, t, early);
    set(f, p, t, now(f) + FAR);
    // A reference timer due after the replaced deadline: once it fires, the replaced one would have too.
    long refDeadline = early + Duration.ofMillis(20).toNanos();
    SignaledWait w = new SignaledWait(f, p, ref);
    set(f, p, ref, refDeadline);
    w.assertFiredNoEarlierThan(refDeadline);
    assertEquals(0, f.signals(p, t), "the replaced deadline must not fire");
    assertTrue(((Timer) f.object(p, t)).deadline() > refDeadline, "still armed with the far deadline");
  }

  @Test
  void settingAgainAfterFiringRearms(KernelFixture f) {
    Process p = f.process();
    int t = timer(f, p);
    for (int i = 0; i < 3; i++) {
      SignaledWait w = new SignaledWait(f, p, t);
      long deadline = now(f) + Duration.ofMillis(3).toNanos();
      set(f, p, t, deadline);
      w.assertFiredNoEarlierThan(deadline);
      // wait_one was registered while the previous round's signal was still set: clear it first next time.
      assertStatus(Status.OK, f.kernel().timer().cancel(p, t));
    }
  }

  @Test
  void deadlinesJustAheadOfNowAlwaysFire(KernelFixture f) {
    // Deadlines a few microseconds ahead straddle the moment set() looks at the clock: each must still fire.
    Process p = f.process();
    int t = timer(f, p);
    for (int i = 0; i < 400; i++) {
      assertStatus(Status.OK, f.kernel().timer().cancel(p, t));
      SignaledWait w = new SignaledWait(f, p, t);
      long deadline = now(f) + (i % 40) * 250L;
      set(f, p, t, deadline);
      w.assertFiredNoEarlierThan(deadline);
    }
  }

  @Test
  void manyTimersFireInDeadlineOrder(KernelFixture f) {
    Process p = f.process();
    int port = PortTest.port(f, p);
    long base = now(f) + Duration.ofMillis(10).toNanos();
    int n = 8;
    int[] timers = new int[n];
    long[] deadlines = new long[n];
    // Set in reverse so the order cannot come from the order of the calls.
    for (int i = n - 1; i >= 0; i--) {
      timers[i] = timer(f, p);
      deadlines[i] = base + i * Duration.ofMillis(2).toNanos();
      assertStatus(Status.OK, f.kernel().port().waitAsync(p, timers[i], port, i, SIGNALED,
          PortSyscalls.WAIT_ASYNC_TIMESTAMP));
      set(f, p, timers[i], deadlines[i]);
    }
    for (int i = 0; i < n; i++) {
      Outcome<PortWait.Result> out = PortTest.portWait(f, p, port, MonotonicClock.INFINITE);
      PortPacket pk = out.get().packet();
      assertEquals(i, pk.key, "timer " + i + " fires " + (i + 1) + "th");
      assertEquals(SIGNALED, pk.trigger);
      assertEquals(SIGNALED, pk.observed);
      assertTrue(pk.timestamp >= deadlines[i], "packet stamped before its deadline");
    }
  }

  @Test
  void negativeSlackIsOutOfRangeBeforeTheHandleIsLookedAt(KernelFixture f) {
    Process p = f.process();
    int t = timer(f, p);
    int ev = f.event(p);
    assertStatus(Status.ERR_OUT_OF_RANGE, f.kernel().timer().set(p, t, f.past(), -1));
    assertStatus(Status.ERR_OUT_OF_RANGE, f.kernel().timer().set(p, t, f.past(), Long.MIN_VALUE));
    assertStatus(Status.ERR_OUT_OF_RANGE, f.kernel().timer().set(p, 0, f.past(), -1), "even for a bad handle");
    assertStatus(Status.ERR_OUT_OF_RANGE, f.kernel().timer().set(p, ev, f.past(), -5), "even for an event");
    assertEquals(0, f.signals(p, t), "a failed set does not arm the timer");
    assertStatus(Status.OK, f.kernel().timer().set(p, t, f.past(), Long.MAX_VALUE), "any slack >= 0 is fine");
    assertEquals(SIGNALED, f.signals(p, t));
  }

  @Test
  void setChecksHandleTypeAndWriteRight(KernelFixture f) {
    Process p = f.process();
    int t = timer(f, p);
    int ev = f.event(p);
    assertStatus(Status.ERR_BAD_HANDLE, f.kernel().timer().set(p, 0, f.past(), 0));
    assertStatus(Status.ERR_BAD_HANDLE, f.kernel().timer().set(p, t ^ 0x20, f.past(), 0));
    assertStatus(Status.ERR_WRONG_TYPE, f.kernel().timer().set(p, ev, f.past(), 0));
    int noWrite = f.duplicate(p, t, Rights.DEFAULT_TIMER & ~Rights.WRITE);
    assertStatus(Status.ERR_ACCESS_DENIED, f.kernel().timer().set(p, noWrite, f.past(), 0));
    assertEquals(0, f.signals(p, t));
    int writeOnly = f.duplicate(p, t, Rights.WRITE);
    assertStatus(Status.OK, f.kernel().timer().set(p, writeOnly, f.past(), 0));
    assertEquals(SIGNALED, f.signals(p, t));
  }

  // ---- cancel ----

  @Test
  void cancelOfANeverSetTimerIsOk(KernelFixture f) {
    Process p = f.process();
    int t = timer(f, p);
    assertStatus(Status.OK, f.kernel().timer().cancel(p, t));
    assertStatus(Status.OK, f.kernel().timer().cancel(p, t));
    assertEquals(0, f.signals(p, t));
  }

  @Test
  void cancelClearsTheSignal(KernelFixture f) {
    Process p = f.process();
    int t = timer(f, p);
    set(f, p, t, f.past());
    assertEquals(SIGNALED, f.signals(p, t));
    assertStatus(Status.OK, f.kernel().timer().cancel(p, t));
    assertEquals(0, f.signals(p, t));
  }

  @Test
  void cancelStopsAPendingDeadline(KernelFixture f) {
    Process p = f.process();
    int t = timer(f, p);
    int ref = timer(f, p);
    long deadline = now(f) + Duration.ofMillis(5).toNanos();
    set(f, p, t, deadline);
    assertStatus(Status.OK, f.kernel().timer().cancel(p, t));
    assertEquals(0, ((Timer) f.object(p, t)).deadline());
    long refDeadline = deadline + Duration.ofMillis(20).toNanos();
    SignaledWait w = new SignaledWait(f, p, ref);
    set(f, p, ref, refDeadline);
    w.assertFiredNoEarlierThan(refDeadline);
    assertEquals(0, f.signals(p, t), "a canceled timer must not fire");
  }

  @Test
  void cancelChecksHandleTypeAndWriteRight(KernelFixture f) {
    Process p = f.process();
    int t = timer(f, p);
    set(f, p, t, f.past());
    int ev = f.event(p);
    assertStatus(Status.ERR_BAD_HANDLE, f.kernel().timer().cancel(p, 0));
    assertStatus(Status.ERR_WRONG_TYPE, f.kernel().timer().cancel(p, ev));
    int noWrite = f.duplicate(p, t, Rights.DEFAULT_TIMER & ~Rights.WRITE);
    assertStatus(Status.ERR_ACCESS_DENIED, f.kernel().timer().cancel(p, noWrite));
    assertEquals(SIGNALED, f.signals(p, t), "a failed cancel leaves the signal");
  }

  // ---- the signal as seen by waiters, and lifetime ----

  @Test
  void userSignalsCanBeSetButNotTimerSignaled(KernelFixture f) {
    Process p = f.process();
    int t = timer(f, p);
    assertStatus(Status.OK, f.kernel().object().signal(p, t, 0, Signals.USER_0));
    assertStatus(Status.ERR_INVALID_ARGS, f.kernel().object().signal(p, t, 0, SIGNALED));
    set(f, p, t, f.past());
    assertEquals(Signals.USER_0 | SIGNALED, f.signals(p, t));
    assertStatus(Status.OK, f.kernel().timer().cancel(p, t));
    assertEquals(Signals.USER_0, f.signals(p, t), "cancel clears only ZX_TIMER_SIGNALED");
  }

  @Test
  void closingAnArmedTimerDropsItsDeadline(KernelFixture f) {
    Process p = f.process();
    int t = timer(f, p);
    long koid = f.koid(p, t);
    int before = f.kernel().timers().pending();
    set(f, p, t, now(f) + FAR);
    assertEquals(before + 1, f.kernel().timers().pending(), "one scheduled deadline");
    f.close(p, t);
    assertFalse(f.alive(koid));
    assertEquals(before, f.kernel().timers().pending(), "the scheduler forgot the closed timer");
  }

  @Test
  void replacingAndCancelingDoNotPileUpScheduledDeadlines(KernelFixture f) {
    Process p = f.process();
    int t = timer(f, p);
    int before = f.kernel().timers().pending();
    for (int i = 0; i < 100; i++) {
      set(f, p, t, now(f) + FAR + i);
    }
    assertEquals(before + 1, f.kernel().timers().pending());
    assertStatus(Status.OK, f.kernel().timer().cancel(p, t));
    assertEquals(before, f.kernel().timers().pending());
  }

  @Test
  void aWaitOnTheTimerEndsWhenItsHandleCloses(KernelFixture f) {
    Process p = f.process();
    int t = timer(f, p);
    set(f, p, t, now(f) + FAR);
    Outcome<WaitResult> out = new Outcome<>();
    f.kernel().object().waitOne(p, t, SIGNALED, MonotonicClock.INFINITE, out);
    assertFalse(out.isDone());
    f.close(p, t);
    WaitResult r = out.get();
    assertStatus(Status.ERR_CANCELED, r.status());
    assertEquals(Signals.HANDLE_CLOSED, r.observed() & Signals.HANDLE_CLOSED);
    assertEquals(0, r.observed() & SIGNALED);
  }
}
